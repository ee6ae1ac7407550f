// Which spans are each probe's: its own trace, the traces started while it
// ran (a hop that lost the trace starts one), and the vendor trace it sent
// (a service that continued it). Whatever no probe can claim is counted.
import { listAt } from './list-at.js';
import { spanWindow } from './probe-window.js';
import { runsInside, startOf, type ClockOffsets } from './span-time.js';
import type { ProbeSent, TreeSpan } from './types.js';

/** One probe's spans. */
export interface ProbeSpans {
  probe: ProbeSent;
  /** Spans of the probe's own trace. */
  own: TreeSpan[];
  /** Roots (no parent) of the other traces that ran inside the probe's window, by start. */
  newRoots: TreeSpan[];
  /** Spans of the probe's trace and of those new traces (not the vendor trace). */
  traced: TreeSpan[];
  /** Spans continuing the probe's `sentry-trace`. */
  vendor: TreeSpan[];
}

export interface SpanAssignment {
  probes: ProbeSpans[];
  /** Spans of traces no probe claims, per service (other traffic, a clock off by more than measured, a root that never came). */
  unclaimed: Map<string, number>;
  /** The earliest span of each trace without a root (yet) that ran inside a probe's window: its root may still come. */
  rootless: TreeSpan[];
}

const byStart = (offsets: ClockOffsets) => (a: TreeSpan, b: TreeSpan) => startOf(offsets, a) - startOf(offsets, b);

/** Gives every trace received to the probe it belongs to. */
export function assignSpans(probes: ProbeSent[], spans: TreeSpan[], offsets: ClockOffsets): SpanAssignment {
  const traces = new Map<string, TreeSpan[]>();
  for (const span of spans) listAt(traces, span.traceId).push(span);
  const result = probes.map((probe): ProbeSpans => ({ probe, own: [], newRoots: [], traced: [], vendor: [] }));
  const unclaimed = new Map<string, number>();
  const rootless: TreeSpan[] = [];
  const unclaim = (trace: TreeSpan[]) => trace.forEach((s) => unclaimed.set(s.service, (unclaimed.get(s.service) ?? 0) + 1));
  for (const [traceId, trace] of traces) {
    const byTrace = result.find((p) => p.probe.traceId === traceId || p.probe.vendorTraceId === traceId);
    if (byTrace) {
      byTrace[byTrace.probe.traceId === traceId ? 'own' : 'vendor'].push(...trace);
      if (byTrace.probe.traceId === traceId) byTrace.traced.push(...trace);
      continue;
    }
    const timed = trace.filter((s) => s.startMs !== undefined).sort(byStart(offsets));
    const root = timed.find((s) => !s.parentSpanId);
    const owner = root && result.find((p) => runsInside(offsets, root, spanWindow(p.probe)));
    if (owner) {
      owner.traced.push(...trace);
      owner.newRoots.push(root);
      continue;
    }
    // Judged once its root comes (or counted if it never does): partial traces of other traffic blame no one.
    if (!root && timed[0] && result.some((p) => runsInside(offsets, timed[0]!, spanWindow(p.probe)))) rootless.push(timed[0]);
    unclaim(trace);
  }
  for (const p of result) p.newRoots.sort(byStart(offsets));
  return { probes: result, unclaimed, rootless };
}

/** The longest any probe's span took to arrive after the probe's response: a lower bound of that service's export delay. */
export function longestDelay(assignment: SpanAssignment): number {
  let longest = 0;
  for (const { probe, traced } of assignment.probes) {
    for (const s of traced) if (s.receivedMs !== undefined) longest = Math.max(longest, s.receivedMs - probe.endedMs);
  }
  return longest;
}
