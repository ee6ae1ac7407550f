// Each service's clock against the doctor's, measured from its hops: a callee's
// SERVER span must run inside its caller's CLIENT span (and the entry's inside
// the probe's request), and no span can end after it arrived. A callee that
// started its own trace is placed by the offset that fits its roots into the
// calls no SERVER span answered.
import { CLOCK_SLACK_MS, MAX_SKEW_MS } from './defaults.js';
import { listAt } from './list-at.js';
import { endOf, startOf, type ClockOffsets } from './span-time.js';
import type { ClockSkew, ProbeSent, TreeSpan } from './types.js';

/** Millisecond rounding of timestamps (Node's SDK stamps starts with Date.now). */
const ROUNDING_MS = 2;
/** New roots looked at per service when fitting them into unanswered calls. */
const MAX_ROOTS = 50;
const DOCTOR = '\u0000doctor';

/** `offset(service) - offset(ref)` lies in [lo, hi]. */
interface Bound {
  ref: string;
  lo: number;
  hi: number;
}

export interface Clocks {
  offsets: ClockOffsets;
  /** Services off by more than the clock slack. */
  skews: ClockSkew[];
}

const shift = (b: Bound, by: number) => ({ lo: b.lo + by, hi: b.hi + by });
const nearestToZero = (lo: number, hi: number) => Math.min(Math.max(0, lo), hi);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** One hop's bound: `inner` (callee) inside `outer` (caller), both on their own clocks. */
function hopBound(ref: string, inner: { start: number; end: number }, outer: { start: number; end: number }): Bound {
  return { ref, lo: inner.end - outer.end - ROUNDING_MS, hi: inner.start - outer.start + ROUNDING_MS };
}

function hopBounds(probes: ProbeSent[], spans: TreeSpan[]): Map<string, Bound[]> {
  const bounds = new Map<string, Bound[]>();
  const add = (service: string, bound: Bound) => listAt(bounds, service).push(bound);
  const times = (s: TreeSpan) => ({ start: s.startMs!, end: s.startMs! + (s.durationMs ?? 0) });
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  for (const probe of probes) {
    for (const s of spans) {
      if (s.traceId !== probe.traceId || s.parentSpanId !== probe.parentSpanId || s.kind !== 'SERVER') continue;
      add(s.service, hopBound(DOCTOR, times(s), { start: probe.startedMs, end: probe.endedMs }));
    }
  }
  for (const s of spans) {
    const parent = s.parentSpanId === undefined ? undefined : byId.get(s.parentSpanId);
    if (s.kind !== 'SERVER' || parent?.kind !== 'CLIENT' || parent.service === s.service) continue;
    const bound = hopBound(parent.service, times(s), times(parent));
    add(s.service, bound);
    add(parent.service, { ref: s.service, lo: -bound.hi, hi: -bound.lo });
  }
  return bounds;
}

/** A span cannot end after it arrived: the least each service's clock must be ahead. */
function arrivalFloors(spans: TreeSpan[]): Map<string, number> {
  const floors = new Map<string, number>();
  for (const s of spans) {
    if (s.receivedMs === undefined) continue;
    const floor = s.startMs! + (s.durationMs ?? 0) - s.receivedMs - ROUNDING_MS;
    floors.set(s.service, Math.max(floors.get(s.service) ?? -Infinity, floor));
  }
  return floors;
}

/** The offset nearest zero that fits the most of `roots` inside `calls` (doctor's clock), if it fits more than zero does. */
function fitRoots(roots: TreeSpan[], calls: Array<{ fromMs: number; toMs: number }>, floor: number, need: number): number | undefined {
  const intervals: Array<{ root: TreeSpan; lo: number; hi: number }> = [];
  for (const root of roots) {
    for (const call of calls) {
      const lo = Math.max(floor, root.startMs! + (root.durationMs ?? 0) - call.toMs - ROUNDING_MS);
      const hi = root.startMs! - call.fromMs + ROUNDING_MS;
      if (lo <= hi && Math.abs(lo) <= MAX_SKEW_MS) intervals.push({ root, lo, hi });
    }
  }
  const fitted = (x: number) => new Set(intervals.filter((i) => i.lo <= x && x <= i.hi).map((i) => i.root)).size;
  let best = 0;
  let bestCount = fitted(0);
  for (const x of intervals.flatMap((i) => [i.lo, i.hi])) {
    const count = fitted(x);
    if (count > bestCount || (count === bestCount && Math.abs(x) < Math.abs(best))) [best, bestCount] = [x, count];
  }
  return bestCount >= need && best !== 0 ? best : undefined;
}

/** Measures every service's clock offset from the spans received so far. */
export function measureClocks(probes: ProbeSent[], received: TreeSpan[]): Clocks {
  const spans = received.filter((s) => s.startMs !== undefined);
  const bounds = hopBounds(probes, spans);
  const floors = arrivalFloors(spans);
  const offsets = new Map<string, number>([[DOCTOR, 0]]);
  const basis = new Map<string, ClockSkew['basis']>();
  for (let progress = true; progress; ) {
    progress = false;
    for (const [service, list] of bounds) {
      if (offsets.has(service)) continue;
      const usable = list.filter((b) => offsets.has(b.ref)).map((b) => shift(b, offsets.get(b.ref)!));
      if (usable.length === 0) continue;
      const lo = Math.max(...usable.map((b) => b.lo));
      const hi = Math.min(...usable.map((b) => b.hi));
      // Every hop agrees: the least skew they allow; they disagree (jitter): the middle hop's.
      const offset = lo <= hi ? nearestToZero(lo, hi) : median(usable.map((b) => nearestToZero(b.lo, b.hi)));
      offsets.set(service, Math.max(offset, floors.get(service) ?? -Infinity));
      basis.set(service, 'hop timing');
      progress = true;
    }
  }
  for (const [service, floor] of floors) {
    if (offsets.has(service) || floor <= CLOCK_SLACK_MS) continue;
    offsets.set(service, floor);
    basis.set(service, 'arrival time');
  }
  fitNewRoots(probes, spans, offsets, basis, floors);
  offsets.delete(DOCTOR);
  const skews = [...offsets]
    .filter(([, offset]) => Math.abs(offset) > CLOCK_SLACK_MS)
    .map(([service, offset]): ClockSkew => ({ service, offsetMs: Math.round(offset), basis: basis.get(service)! }));
  return { offsets, skews };
}

type Basis = Map<string, ClockSkew['basis']>;

/** Services not placed by a hop: fit their new roots into the calls (and probes) nothing answered. */
function fitNewRoots(probes: ProbeSent[], spans: TreeSpan[], offsets: Map<string, number>, basis: Basis, floors: Map<string, number>) {
  const probeTraces = new Set(probes.map((p) => p.traceId));
  const answered = new Set(spans.filter((s) => s.kind === 'SERVER' && s.parentSpanId).map((s) => s.parentSpanId));
  const entered = new Set(spans.map((s) => `${s.traceId}/${s.parentSpanId}`));
  const placed = (s: TreeSpan) => offsets.has(s.service) && basis.get(s.service) !== 'arrival time';
  const calls = spans
    .filter((s) => s.kind === 'CLIENT' && !answered.has(s.spanId) && placed(s))
    .map((s) => ({ fromMs: startOf(offsets, s), toMs: endOf(offsets, s) }));
  for (const p of probes) if (!entered.has(`${p.traceId}/${p.parentSpanId}`)) calls.push({ fromMs: p.startedMs, toMs: p.endedMs });
  const first = Math.min(...probes.map((p) => p.startedMs)) - MAX_SKEW_MS;
  const last = Math.max(...probes.map((p) => p.endedMs)) + MAX_SKEW_MS;
  const roots = new Map<string, TreeSpan[]>();
  for (const s of spans) {
    if (s.parentSpanId || s.kind !== 'SERVER' || probeTraces.has(s.traceId) || basis.get(s.service) === 'hop timing') continue;
    if (s.startMs! < first || s.startMs! > last) continue;
    const list = listAt(roots, s.service);
    if (list.length < MAX_ROOTS) list.push(s);
  }
  // One probe alone may fit by chance; with more, the offset must fit at least two of them.
  const need = Math.min(2, probes.length);
  for (const [service, list] of roots) {
    const offset = fitRoots(list, calls, floors.get(service) ?? -Infinity, need);
    if (offset === undefined) continue;
    offsets.set(service, offset);
    basis.set(service, 'new-trace timing');
  }
}
