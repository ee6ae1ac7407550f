import { propagation, type BaggageEntry, type Context } from '@opentelemetry/api';
import type { BaggageLimits } from './types.js';

/** W3C baggage: a platform must propagate 64 members / 8192 bytes; we never send more. */
export const W3C_BAGGAGE_MAX_MEMBERS = 64;
export const W3C_BAGGAGE_MAX_BYTES = 8192;

/**
 * Returns `context` with its baggage trimmed to the limits, dropping whole
 * members only (first members win). The common case, baggage already within
 * limits, allocates nothing and returns the same context.
 */
export function limitBaggage(context: Context, limits: BaggageLimits = {}): Context {
  const baggage = propagation.getBaggage(context);
  if (!baggage) return context;
  const maxMembers = Math.min(limits.maxMembers ?? W3C_BAGGAGE_MAX_MEMBERS, W3C_BAGGAGE_MAX_MEMBERS);
  const maxBytes = Math.min(limits.maxBytes ?? W3C_BAGGAGE_MAX_BYTES, W3C_BAGGAGE_MAX_BYTES);
  const entries = baggage.getAllEntries();

  const kept: Record<string, BaggageEntry> = {};
  let keptCount = 0;
  let bytes = 0;
  for (const [key, entry] of entries) {
    if (keptCount === maxMembers) break;
    // Serialized exactly as W3CBaggagePropagator writes it, plus a comma separator.
    const size = memberSize(key, entry) + (keptCount === 0 ? 0 : 1);
    if (bytes + size > maxBytes) continue; // skip the whole member; a smaller later one may fit
    kept[key] = entry;
    keptCount++;
    bytes += size;
  }
  if (keptCount === entries.length) return context;
  return keptCount === 0
    ? propagation.deleteBaggage(context)
    : propagation.setBaggage(context, propagation.createBaggage(kept));
}

function memberSize(key: string, entry: BaggageEntry): number {
  let size = encodeURIComponent(key).length + 1 + encodeURIComponent(entry.value).length;
  if (entry.metadata !== undefined) size += 1 + entry.metadata.toString().length;
  return size;
}
