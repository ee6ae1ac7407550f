import { propagation, type Baggage, type BaggageEntry, type Context } from '@opentelemetry/api';

/** Which baggage keys are accepted: all, none, a list, or a per-key decision. */
export type BaggageAcceptance<Request = unknown> = boolean | readonly string[] | ((key: string, request: Request) => boolean);

/** `acceptBaggage` in any of its forms, as one predicate. */
export function toBaggagePredicate<Request>(accept: BaggageAcceptance<Request>): (key: string, request: Request) => boolean {
  if (typeof accept === 'function') return accept;
  if (typeof accept === 'boolean') return () => accept;
  const allowed = new Set(accept);
  return (key) => allowed.has(key);
}

/** Decides, in entry order, whether one baggage entry stays. */
export type KeepEntry = (key: string, entry: BaggageEntry) => boolean;

/**
 * Returns `context` with only the baggage entries `keep` accepts. The same
 * context comes back when nothing is dropped, and none at all when nothing is left.
 */
export function keepBaggageEntries(context: Context, keep: KeepEntry): Context {
  const baggage = propagation.getBaggage(context);
  if (!baggage) return context;
  return withBaggage(context, baggage, keepEntries(baggage, keep));
}

/**
 * The entries of `baggage` that `keep` accepts, asked in order: the same
 * instance when all stay, `undefined` when none does.
 */
export function keepEntries(baggage: Baggage, keep: KeepEntry): Baggage | undefined {
  const entries = baggage.getAllEntries();
  const kept: Record<string, BaggageEntry> = {};
  let count = 0;
  for (const [key, entry] of entries) {
    if (!keep(key, entry)) continue;
    kept[key] = entry;
    count++;
  }
  if (count === entries.length) return baggage;
  return count === 0 ? undefined : propagation.createBaggage(kept);
}

/** `context` carrying `result` in place of `original`: unchanged when they are the same. */
export function withBaggage(context: Context, original: Baggage, result: Baggage | undefined): Context {
  if (result === original) return context;
  return result ? propagation.setBaggage(context, result) : propagation.deleteBaggage(context);
}
