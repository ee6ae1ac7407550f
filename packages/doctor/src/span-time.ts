// Span times on the doctor's clock: each service's own timestamps less its
// measured clock offset, so spans of different hosts compare like with like.
import { CLOCK_SLACK_MS } from './defaults.js';
import type { TreeSpan } from './types.js';

/** Each service's clock minus the doctor's, in ms; 0 for a service never measured. */
export type ClockOffsets = ReadonlyMap<string, number>;

/** Start on the doctor's clock; NaN when the exporter gave none. */
export const startOf = (offsets: ClockOffsets, span: TreeSpan): number => (span.startMs ?? NaN) - (offsets.get(span.service) ?? 0);

/** End on the doctor's clock. */
export const endOf = (offsets: ClockOffsets, span: TreeSpan): number => startOf(offsets, span) + (span.durationMs ?? 0);

/** True when `inner` ran within `outer` (allowing the clock slack). */
export function runsInside(offsets: ClockOffsets, inner: TreeSpan, outer: { fromMs: number; toMs: number }): boolean {
  return startOf(offsets, inner) >= outer.fromMs - CLOCK_SLACK_MS && endOf(offsets, inner) <= outer.toMs + CLOCK_SLACK_MS;
}

/** A span's time range on the doctor's clock. */
export const rangeOf = (offsets: ClockOffsets, span: TreeSpan) => ({ fromMs: startOf(offsets, span), toMs: endOf(offsets, span) });

/** The innermost span of `candidates` from another service that ran around `inner`: the likely caller. */
export function enclosingSpan(offsets: ClockOffsets, candidates: TreeSpan[], inner: TreeSpan): TreeSpan | undefined {
  return candidates
    .filter((s) => s !== inner && s.service !== inner.service && runsInside(offsets, inner, rangeOf(offsets, s)))
    .sort((a, b) => startOf(offsets, b) - startOf(offsets, a))[0];
}
