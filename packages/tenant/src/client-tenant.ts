import { propagation, type BaggageEntry, type Context } from '@opentelemetry/api';
import type { BaggageAcceptance } from './types.js';

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
  const baggage = propagation.getBaggage(context);
  if (!baggage) return context;
  const entries = baggage.getAllEntries();
  const kept: Record<string, BaggageEntry> = {};
  let keptCount = 0;
  for (const [key, entry] of entries) {
    if (isTenantKey(key)) continue;
    kept[key] = entry;
    keptCount++;
  }
  if (keptCount === entries.length) return context;
  return keptCount === 0 ? propagation.deleteBaggage(context) : propagation.setBaggage(context, propagation.createBaggage(kept));
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
  const accepts = toPredicate(accept);
  return (key, request) => !isTenantKey(key) && accepts(key, request);
}

function toPredicate<Request>(accept: BaggageAcceptance<Request>): (key: string, request: Request) => boolean {
  if (typeof accept === 'function') return accept;
  if (typeof accept === 'boolean') return () => accept;
  const allowed = new Set(accept);
  return (key) => allowed.has(key);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // malformed escapes: compare the raw key
  }
}
