/**
 * The one value of a single-valued header. A repeated one is ambiguous, so it
 * counts as absent, as W3C rules for `traceparent`.
 */
export function singleValue(raw: string | string[] | undefined): string | undefined {
  if (typeof raw === 'string') return raw.includes(',') ? undefined : raw;
  return Array.isArray(raw) && raw.length === 1 && !raw[0]!.includes(',') ? raw[0] : undefined;
}
