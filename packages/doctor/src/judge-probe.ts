// One probe's verdict from its spans: the entry, the hops, duplicates and
// attributes; then which of those (and of its log-line breaks) are consequences.
import { judgeAttributes, judgeEdge } from './analyze-attributes.js';
import { judgeDuplicates } from './analyze-duplicates.js';
import { judgeEntry } from './analyze-entry.js';
import { judgeHops } from './analyze-hops.js';
import type { RequestTraces } from './analyze-logs.js';
import { AFTER_LOST_TRACE, AFTER_NO_ENTRY_SPAN, AFTER_SKIPPED_HOP, separateConsequences, upstreamOf } from './consequences.js';
import type { TraceBreak } from './consequences.js';
import { listAt } from './list-at.js';
import type { ProbeSpans } from './probe-spans.js';
import type { ClockOffsets } from './span-time.js';
import type { Break, ProbeResult, TreeSpan } from './types.js';

/** A probe judged on its spans, waiting for its log-line breaks. */
export interface SpanVerdict {
  result: Omit<ProbeResult, 'breaks' | 'consequences' | 'logLines'>;
  spanBreaks: Break[];
  traceBreaks: TraceBreak[];
  traces: RequestTraces;
}

/** The spans below `root` (itself included). */
function subtree(root: TreeSpan, spans: TreeSpan[]): TreeSpan[] {
  const children = new Map<string, TreeSpan[]>();
  for (const s of spans) if (s.parentSpanId) listAt(children, s.parentSpanId).push(s);
  const out = [root];
  const seen = new Set([root.spanId]);
  for (let i = 0; i < out.length; i++) {
    for (const child of children.get(out[i]!.spanId) ?? []) {
      if (seen.has(child.spanId)) continue;
      seen.add(child.spanId);
      out.push(child);
    }
  }
  return out;
}

/** Judges one probe's spans. `waited` says how long the doctor waited, for breaks about spans that never came. */
export function judgeSpans(probeSpans: ProbeSpans, offsets: ClockOffsets, expectTenant: string | undefined, waited: string): SpanVerdict {
  const { probe, traced, vendor } = probeSpans;
  const entry = judgeEntry(probeSpans, offsets);
  const hops = judgeHops(probeSpans, offsets, entry.entryRoot, waited);
  const restarted = [...(entry.restarted ? [entry.restarted] : []), ...hops.restarted];
  const inTrace = (traceId: string) => traced.filter((s) => s.traceId === traceId);
  const traceBreaks: TraceBreak[] = restarted.map(({ traceId, by }) => ({
    by,
    // The entry's own spans are its own mistakes, not what its new trace caused...
    behind: inTrace(traceId).filter((s) => by.kind !== 'entry-new-trace' || s.service !== by.service),
    follows: AFTER_LOST_TRACE,
  }));
  // ...unless it recorded no span for the request at all: then nothing in it has the request's context.
  if (entry.entryRoot?.kind === 'CLIENT') {
    const by = entry.restarted!.by;
    traceBreaks.push({ by, behind: traced.filter((s) => s.service === by.service), follows: AFTER_NO_ENTRY_SPAN });
  }
  for (const skipped of entry.breaks.filter((b) => b.kind === 'hop-skipped')) {
    const span = traced.find((s) => s.spanId === skipped.spanId);
    if (span) traceBreaks.push({ by: skipped, behind: subtree(span, traced), follows: AFTER_SKIPPED_HOP });
  }
  const spanBreaks = [...entry.breaks, ...hops.breaks, ...judgeDuplicates(probeSpans), ...judgeAttributes(probeSpans, expectTenant)];
  const behindEntry = (service: string) => entry.entryService !== undefined && upstreamOf(service, traced).has(entry.entryService);
  spanBreaks.push(...judgeEdge(entry.entryService, spanBreaks, behindEntry));
  const request = [probe.traceId, ...(entry.effectiveTraceId && entry.effectiveTraceId !== probe.traceId ? [entry.effectiveTraceId] : [])];
  return {
    result: { ...probe, effectiveTraceId: entry.effectiveTraceId, spans: [...traced, ...vendor], hops: [...entry.hops, ...hops.hops] },
    spanBreaks,
    traceBreaks,
    traces: { probe, request, restarted: hops.restarted },
  };
}

/** The probe's result once its log-line breaks are known. */
export function finishProbe(verdict: SpanVerdict, logs: { lines: number; breaks: Break[] }): ProbeResult {
  const { breaks, consequences } = separateConsequences(verdict.spanBreaks, logs.breaks, verdict.traceBreaks, verdict.result.spans);
  return { ...verdict.result, breaks, consequences, logLines: logs.lines };
}
