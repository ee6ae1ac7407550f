import { propagation, type BaggageEntry, type Context } from '@opentelemetry/api';

/** Which baggage keys are accepted: all, none, a list, or a per-key decision. */
export type BaggageAcceptance<Request = unknown> = boolean | readonly string[] | ((key: string, request: Request) => boolean);

/** `acceptBaggage` in any of its forms, as one predicate. */
export function toBaggagePredicate<Request>(accept: BaggageAcceptance<Request>): (key: string, request: Request) => boolean {
  if (typeof accept === 'function') return accept;
  if (typeof accept === 'boolean') return () => accept;
  const allowed = new Set(accept);
  return (key) => allowed.has(key);
}

/**
 * Returns `context` with only the baggage entries `keep` accepts. The same
 * context comes back when nothing is dropped, and none at all when nothing is left.
 */
export function keepBaggageEntries(context: Context, keep: (key: string, entry: BaggageEntry) => boolean): Context {
  const baggage = propagation.getBaggage(context);
  if (!baggage) return context;
  const entries = baggage.getAllEntries();
  const kept: Record<string, BaggageEntry> = {};
  let count = 0;
  for (const [key, entry] of entries) {
    if (!keep(key, entry)) continue;
    kept[key] = entry;
    count++;
  }
  if (count === entries.length) return context;
  return count === 0 ? propagation.deleteBaggage(context) : propagation.setBaggage(context, propagation.createBaggage(kept));
}
