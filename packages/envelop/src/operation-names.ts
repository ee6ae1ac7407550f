/**
 * What is recorded for a client-chosen operation name the policy does not
 * keep: one value for all of them (the semantic conventions' spelling for an
 * unknown value, as for HTTP methods).
 */
export const OTHER_OPERATION_NAME = '_OTHER';

/** Longer names are never kept as they are: a GraphQL name has no length limit, a label should. */
const MAX_NAME_LENGTH = 128;

/** Which operation names are recorded as they are; see `TraceContextOptions.operationNames`. */
export type OperationNamePolicy = readonly string[] | ((name: string) => boolean) | number;

/**
 * Compiles the policy (already checked) into the function that names one
 * operation. Whatever a client sends, the names it returns form a fixed, known set: the allowed
 * ones plus `_OTHER` (for a number N, the first N distinct names seen).
 */
export function operationNameRecorder(policy: OperationNamePolicy): (name: string) => string {
  if (typeof policy === 'number') return firstSeen(policy);
  if (typeof policy === 'function') return (name) => (name.length <= MAX_NAME_LENGTH && policy(name) === true ? name : OTHER_OPERATION_NAME);
  const allowed = new Set(policy);
  return (name) => (allowed.has(name) ? name : OTHER_OPERATION_NAME);
}

function firstSeen(limit: number): (name: string) => string {
  const seen = new Set<string>();
  return (name) => {
    if (seen.has(name)) return name;
    if (seen.size >= limit || name.length > MAX_NAME_LENGTH) return OTHER_OPERATION_NAME;
    seen.add(name);
    return name;
  };
}
