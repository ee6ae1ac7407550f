import { isOneOf } from './named-checks.js';

/** Which attribute names a hop emits during a semantic-conventions migration. */
export interface SemconvStability {
  /** Emit the names from before the migration (the default). */
  readonly old: boolean;
  /** Emit the current stable names. */
  readonly stable: boolean;
}

/** A hop's `semconv` option: the names before the migration, the stable ones, or both. */
export type SemconvOption = 'old' | 'stable' | 'dup';

/** The `semconv` option's check. */
export const isSemconvOption = isOneOf('old', 'stable', 'dup');

/**
 * The names a hop emits: its `semconv` option when given, else
 * `OTEL_SEMCONV_STABILITY_OPT_IN` read the standard way (`<namespace>` emits
 * only the new names, `<namespace>/dup` both, anything else only the old ones).
 */
export function semconvStability(
  namespace: string,
  option?: SemconvOption,
  optIn: string | undefined = readOptIn(),
): SemconvStability {
  if (option !== undefined) return { old: option !== 'stable', stable: option !== 'old' };
  const tokens = (optIn ?? '').split(',').map((token) => token.trim());
  if (tokens.includes(`${namespace}/dup`)) return { old: true, stable: true };
  if (tokens.includes(namespace)) return { old: false, stable: true };
  return { old: true, stable: false };
}

function readOptIn(): string | undefined {
  return typeof process === 'object' ? process.env?.OTEL_SEMCONV_STABILITY_OPT_IN : undefined;
}
