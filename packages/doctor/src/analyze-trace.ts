// The structural verdicts on one probe's trace: did the entry continue it,
// did every call reach an instrumented callee, did any span lose its parent,
// did two instrumentations record one call.
import { probeWindows, SLACK_MS, type ProbeWindow } from './probe-window.js';
import type { Break, Hop, ProbeSent, TreeSpan } from './types.js';


export interface TraceVerdict {
  effectiveTraceId?: string | undefined;
  spans: TreeSpan[];
  breaks: Break[];
  hops: Hop[];
}

const endMs = (span: TreeSpan) => (span.startMs ?? 0) + (span.durationMs ?? 0);
const inside = (span: TreeSpan, from: number, to: number) => span.startMs !== undefined && span.startMs >= from - SLACK_MS && span.startMs <= to + SLACK_MS;

/** Where a CLIENT span was going: `server.address:server.port`, else the RPC service, else its name. */
export function calleeOf(span: TreeSpan): string {
  const a = span.attributes ?? {};
  const host = a['server.address'] ?? a['net.peer.name'];
  const port = a['server.port'] ?? a['net.peer.port'];
  if (host !== undefined) return port === undefined ? String(host) : `${String(host)}:${String(port)}`;
  const rpc = a['rpc.service'] ?? a['rpc.method'];
  return rpc === undefined ? `callee of '${span.name}'` : String(rpc);
}

/** The innermost span of `spans` whose time range holds `inner`: the likely caller. */
function enclosing(spans: TreeSpan[], inner: TreeSpan): TreeSpan | undefined {
  const candidates = spans.filter((s) => s !== inner && s.startMs !== undefined && s.startMs <= (inner.startMs ?? 0) + 1 && endMs(s) + 1 >= endMs(inner));
  return candidates.sort((a, b) => (b.startMs ?? 0) - (a.startMs ?? 0))[0];
}

/** Analyses one probe against every span received. */
export function analyzeTrace(probe: ProbeSent, all: TreeSpan[], window: ProbeWindow = probeWindows([probe])[0]!): TraceVerdict {
  const breaks: Break[] = [];
  const hops: Hop[] = [];
  const own = all.filter((s) => s.traceId === probe.traceId);
  // Roots of other traces that started while the probe was in flight: a new trace started for it.
  const newRoots = all
    .filter((s) => s.traceId !== probe.traceId && !s.parentSpanId && (s.kind === 'SERVER' || s.kind === 'CLIENT') && s.startMs !== undefined && s.startMs >= window.fromMs && s.startMs < window.toMs)
    .sort((a, b) => (a.startMs ?? 0) - (b.startMs ?? 0));
  const entry = own.find((s) => s.parentSpanId === probe.parentSpanId);
  let effectiveTraceId: string | undefined = own.length > 0 ? probe.traceId : undefined;
  if (entry) hops.push({ from: 'probe', to: entry.service, ok: true });
  else if (newRoots.some((r) => r.kind === 'SERVER') && !own.some((s) => s.kind === 'SERVER')) {
    const root = newRoots.find((r) => r.kind === 'SERVER')!;
    newRoots.splice(newRoots.indexOf(root), 1);
    effectiveTraceId = root.traceId;
    hops.push({ from: 'probe', to: root.service, ok: false });
    breaks.push({
      kind: 'entry-new-trace',
      service: root.service,
      spanId: root.spanId,
      message: `${root.service} started a new trace ${root.traceId} ('${root.name}') instead of continuing the probe's ${probe.traceId}: it does not read the incoming traceparent`,
    });
  } else if (own.length === 0) {
    hops.push({ from: 'probe', to: '?', ok: false });
    breaks.push({ kind: 'no-spans', service: '(entry)', message: `no span of the probe's trace ${probe.traceId} arrived, and no new trace started while it ran: is the service exporting to this receiver?` });
  }
  const traceIds = new Set([effectiveTraceId, ...newRoots.map((r) => r.traceId)].filter(Boolean));
  const spans = all.filter((s) => traceIds.has(s.traceId));
  const inTrace = spans.filter((s) => s.traceId === effectiveTraceId);
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const childrenOf = (span: TreeSpan) => spans.filter((s) => s.parentSpanId === span.spanId);
  const unusedRoots = new Set(newRoots);

  for (const span of spans) {
    const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
    if (parent && parent.service === span.service && parent.kind === span.kind && (span.kind === 'CLIENT' || span.kind === 'SERVER')) {
      breaks.push({
        kind: 'duplicate-span',
        service: span.service,
        spanId: span.spanId,
        message: `${span.service} recorded two ${span.kind} spans for one call ('${parent.name}' → '${span.name}'): two instrumentations are stacked`,
      });
    }
    if (span.parentSpanId && !parent && span.parentSpanId !== probe.parentSpanId) {
      const caller = enclosing(inTrace, span);
      if (span.kind === 'SERVER') hops.push({ from: caller?.service ?? '?', to: span.service, ok: false });
      breaks.push({
        kind: span.kind === 'SERVER' ? 'orphan-server' : 'orphan-span',
        service: span.service,
        peer: caller?.service,
        spanId: span.spanId,
        message: `${span.service} '${span.name}' has parent ${span.parentSpanId}, which never arrived: the caller propagates but does not export that span (or it never ended)`,
      });
    }
    if (span.kind !== 'CLIENT' || childrenOf(span).some((c) => c.kind === 'CLIENT' && c.service === span.service)) continue;
    const server = childrenOf(span).find((c) => c.kind === 'SERVER');
    if (server) {
      hops.push({ from: span.service, to: server.service, ok: true });
      continue;
    }
    const restarted = [...unusedRoots].find((r) => inside(r, span.startMs ?? 0, endMs(span)));
    if (restarted) {
      unusedRoots.delete(restarted);
      hops.push({ from: span.service, to: restarted.service, ok: false });
      breaks.push({
        kind: 'hop-new-trace',
        service: restarted.service,
        peer: span.service,
        spanId: restarted.spanId,
        message: `${restarted.service} got '${span.name}' from ${span.service} with a traceparent but started a new trace ${restarted.traceId}: its server side does not extract it`,
      });
      continue;
    }
    const callee = calleeOf(span);
    hops.push({ from: span.service, to: callee, ok: false });
    breaks.push({
      kind: 'client-without-server',
      service: callee,
      peer: span.service,
      spanId: span.spanId,
      message: `${span.service}'s CLIENT span '${span.name}' has no SERVER span under it: ${callee} is not instrumented, dropped the traceparent, or does not export here`,
    });
  }
  for (const root of unusedRoots) {
    if (root.kind === 'CLIENT') {
      breaks.push({
        kind: 'hop-new-trace',
        service: root.service,
        spanId: root.spanId,
        message: `${root.service} made the call '${root.name}' outside the request's context (new trace ${root.traceId}): context is lost inside ${root.service}`,
      });
      continue;
    }
    const caller = enclosing(inTrace, root);
    const service = caller?.service ?? root.service;
    hops.push({ from: caller?.service ?? '?', to: root.service, ok: false });
    breaks.push({
      kind: 'hop-new-trace',
      service,
      peer: root.service,
      spanId: root.spanId,
      message: caller
        ? `${root.service} started a new trace ${root.traceId} for a call made inside ${caller.service}'s '${caller.name}', which recorded no CLIENT span: ${caller.service}'s client sends no traceparent (not instrumented)`
        : `${root.service} started a new trace ${root.traceId} while the probe ran: its caller sent no traceparent`,
    });
  }
  return { effectiveTraceId, spans, breaks, hops };
}
