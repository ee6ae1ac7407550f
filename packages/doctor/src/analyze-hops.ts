// Every hop below the entry: each call (CLIENT span) answered by a SERVER span,
// by a new trace its callee started, or by nothing; spans whose parent never
// came; new traces no call explains. Each verdict says only what the spans show.
import { answersTo, calleeOf, outgoingCalls, rootInside } from './expectations.js';
import type { ProbeSpans } from './probe-spans.js';
import { enclosingSpan, type ClockOffsets } from './span-time.js';
import type { Break, Hop, TreeSpan } from './types.js';

export interface HopVerdict {
  hops: Hop[];
  breaks: Break[];
  /** Each new trace started for the probe, with the break that names where the trace was lost. */
  restarted: Array<{ traceId: string; by: Break }>;
}

function newTraceUnderCall(call: TreeSpan, root: TreeSpan): Break {
  const linked = root.links?.some((l) => l.spanId === call.spanId);
  const base = { kind: 'hop-new-trace' as const, service: root.service, peer: call.service, spanId: root.spanId };
  if (linked) {
    const message =
      `${root.service} received the traceparent of ${call.service}'s '${call.name}' (its new trace ${root.traceId} links to it) ` +
      `but did not continue it: its trust policy does not trust ${call.service}`;
    return { ...base, message };
  }
  const message =
    `${call.service}'s call '${call.name}' reached ${root.service}, which started a new trace ${root.traceId}. The spans cannot tell ` +
    `which end lost the trace: either ${call.service}'s client sent no W3C traceparent (B3 or another format only, or none), ` +
    `or ${root.service} does not extract it`;
  return { ...base, suspects: [call.service, root.service], message };
}

function newTraceWithoutCall(root: TreeSpan, caller: TreeSpan | undefined): Break {
  if (root.kind === 'CLIENT') {
    const message =
      `${root.service} made the call '${root.name}' outside the request's context (new trace ${root.traceId}): ` +
      `context is lost inside ${root.service}`;
    return { kind: 'hop-new-trace', service: root.service, spanId: root.spanId, message };
  }
  if (!caller) {
    const message = `${root.service} started a new trace ${root.traceId} while the probe ran: its caller sent no traceparent`;
    return { kind: 'hop-new-trace', service: root.service, spanId: root.spanId, message };
  }
  const message =
    `${root.service} started a new trace ${root.traceId} for a call made inside ${caller.service}'s '${caller.name}', which recorded ` +
    `no CLIENT span: most likely ${caller.service}'s client is not instrumented and sends no traceparent; if it propagates ` +
    `without recording spans, ${root.service} does not extract it`;
  const suspects = [caller.service, root.service];
  return { kind: 'hop-new-trace', service: caller.service, peer: root.service, suspects, spanId: root.spanId, message };
}

/**
 * The hop verdicts of one probe, after the entry's (`entryRoot` is the entry's new trace, if it started one);
 * `waited` says how long the doctor waited, for the breaks about spans that never came.
 */
export function judgeHops(probeSpans: ProbeSpans, offsets: ClockOffsets, entryRoot: TreeSpan | undefined, waited: string): HopVerdict {
  const { probe, traced, newRoots } = probeSpans;
  const hops: Hop[] = [];
  const breaks: Break[] = [];
  const restarted: HopVerdict['restarted'] = [];
  const ids = new Set(traced.map((s) => s.spanId));
  const unused = newRoots.filter((r) => r !== entryRoot);
  for (const span of traced) {
    if (!span.parentSpanId || ids.has(span.parentSpanId) || span.parentSpanId === probe.parentSpanId) continue;
    const caller = enclosingSpan(offsets, traced, span);
    if (span.kind === 'SERVER') hops.push({ from: caller?.service ?? '?', to: span.service, ok: false });
    breaks.push({
      kind: span.kind === 'SERVER' ? 'orphan-server' : 'orphan-span',
      service: span.service,
      peer: caller?.service,
      spanId: span.spanId,
      message:
        `${span.service} '${span.name}' has parent ${span.parentSpanId}, which never arrived (${waited}): ` +
        'its caller propagates but does not export that span here (or it never ended)',
    });
  }
  // A callee whose span hangs off a caller's non-CLIENT span: the caller propagates without recording a CLIENT span.
  const byId = new Map(traced.map((s) => [s.spanId, s]));
  for (const span of traced.filter((s) => s.kind === 'SERVER')) {
    const parent = byId.get(span.parentSpanId ?? '');
    if (parent && parent.kind !== 'CLIENT' && parent.service !== span.service) {
      hops.push({ from: parent.service, to: span.service, ok: true });
    }
  }
  for (const call of outgoingCalls(traced)) {
    const servers = answersTo(call, traced);
    if (servers.length > 0) {
      for (const service of new Set(servers.map((s) => s.service))) hops.push({ from: call.service, to: service, ok: true });
      continue;
    }
    const root = rootInside(offsets, call, unused);
    if (root) {
      unused.splice(unused.indexOf(root), 1);
      hops.push({ from: call.service, to: root.service, ok: false });
      const found = newTraceUnderCall(call, root);
      breaks.push(found);
      restarted.push({ traceId: root.traceId, by: found });
      continue;
    }
    const callee = calleeOf(call);
    hops.push({ from: call.service, to: callee, ok: false });
    breaks.push({
      kind: 'client-without-server',
      service: callee,
      peer: call.service,
      spanId: call.spanId,
      message:
        `${call.service}'s CLIENT span '${call.name}' has no SERVER span under it and no new trace started inside it (${waited}): ` +
        `${callee} is not instrumented, or does not export here`,
    });
  }
  for (const root of unused) {
    const caller = root.kind === 'SERVER' ? enclosingSpan(offsets, traced, root) : undefined;
    if (caller) hops.push({ from: caller.service, to: root.service, ok: false });
    const found = newTraceWithoutCall(root, caller);
    breaks.push(found);
    restarted.push({ traceId: root.traceId, by: found });
  }
  return { hops, breaks, restarted };
}
