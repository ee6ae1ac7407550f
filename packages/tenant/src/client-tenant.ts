import type { Context } from '@opentelemetry/api';
import type { BaggageAcceptance } from '@tracehop/core';
import { checkArgument, isTrustPolicy, keepBaggageEntries, toBaggagePredicate } from '@tracehop/core/internal';

// The whole `tenant` namespace: `tenant`, `tenant.*`, `tenant_*`, `tenant-*`, any case.
const TENANT_NAMESPACE = /^tenant(?:[._-]|$)/;
const MAX_DECODE_ROUNDS = 3;

/**
 * Whether a baggage key belongs to the tenant namespace, however it is dressed
 * up: any case (`TENANT.ID`), surrounding spaces, percent-encoded once or
 * several times (`tenant%2Eid`, `tenant%252Eid`). Callers may never set any
 * of these; the tenant comes from authentication alone.
 */
export function isTenantKey(key: string): boolean {
  let current = key;
  for (let round = 0; round <= MAX_DECODE_ROUNDS; round++) {
    if (TENANT_NAMESPACE.test(current.trim().toLowerCase())) return true;
    const decoded = safeDecode(current);
    if (decoded === current) return false;
    current = decoded;
  }
  return true; // still encoded after several rounds: nobody honest sends that
}

/**
 * Returns `context` without any tenant-namespace baggage entry (see
 * {@link isTenantKey}), keeping all other entries. Use it at every edge where
 * requests come from outside the trust boundary. Returns the same context when
 * there is nothing to remove.
 */
export function withoutClientTenant(context: Context): Context {
  return keepBaggageEntries(context, (key) => !isTenantKey(key));
}

/**
 * An `acceptBaggage` predicate for a public edge's trust policy that never
 * accepts a tenant-namespace key from the caller, whatever else it accepts.
 * `acceptBaggageExceptTenant()` keeps every other key;
 * `acceptBaggageExceptTenant(['sentry-trace_id'])` keeps only those.
 */
export function acceptBaggageExceptTenant<Request = unknown>(
  accept: BaggageAcceptance<Request> = true,
): (key: string, request: Request) => boolean {
  checkArgument('acceptBaggageExceptTenant', 'accept', accept, isTrustPolicy.shape!.acceptBaggage!);
  const accepts = toBaggagePredicate(accept);
  return (key, request) => !isTenantKey(key) && accepts(key, request);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // malformed escapes: compare the raw key
  }
}
