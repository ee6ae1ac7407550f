// The first hop: did the service the probe called continue the probe's trace,
// start a new one, or record nothing? And did any other service get the
// probe's own traceparent (passed on by hand by the service that skipped its hop)?
import type { ProbeSpans } from './probe-spans.js';
import { enclosingSpan, startOf, type ClockOffsets } from './span-time.js';
import type { Break, Hop, TreeSpan } from './types.js';

export interface EntryVerdict {
  /** The trace the stack recorded for the probe. */
  effectiveTraceId?: string | undefined;
  /** The service the probe reached first (the trust boundary), when its span arrived. */
  entryService?: string | undefined;
  /** The new root that became the entry (then not judged again as a hop). */
  entryRoot?: TreeSpan | undefined;
  /** The new trace the entry started, and the break that says so (for consequences). */
  restarted?: { traceId: string; by: Break } | undefined;
  hops: Hop[];
  breaks: Break[];
}

/** Spans whose parent is the probe's own span, outermost first (the entry's own siblings are for analyze-duplicates). */
function probeChildren(probeSpans: ProbeSpans, offsets: ClockOffsets): TreeSpan[] {
  const { probe, own } = probeSpans;
  return own
    .filter((s) => s.parentSpanId === probe.parentSpanId)
    .sort((a, b) => startOf(offsets, a) - startOf(offsets, b) || (b.durationMs ?? 0) - (a.durationMs ?? 0));
}

function skippedHops(children: TreeSpan[], own: TreeSpan[], offsets: ClockOffsets): { hops: Hop[]; breaks: Break[] } {
  const entry = children[0]!;
  const hops: Hop[] = [];
  const breaks: Break[] = [];
  for (const span of children.slice(1).filter((s) => s.service !== entry.service)) {
    const by = enclosingSpan(offsets, own, span)?.service ?? entry.service;
    hops.push({ from: by, to: span.service, ok: false });
    breaks.push({
      kind: 'hop-skipped',
      service: by,
      peer: span.service,
      spanId: span.spanId,
      message:
        `${span.service}'s '${span.name}' hangs off the probe's own traceparent, not off a span of ${by}: ${by} passed the client's ` +
        `trace headers on by hand instead of propagating its own context, so its hop to ${span.service} is missing from the trace ` +
        `and whatever the client put in them reaches ${span.service}`,
    });
  }
  return { hops, breaks };
}

/**
 * The probe speaks HTTP: a gRPC server span straight under its traceparent got it in metadata, from a service
 * at the probed URL that recorded nothing and passed the client's headers on.
 */
function silentEntry(first: TreeSpan): Break | undefined {
  if (first.attributes?.['rpc.system'] === undefined) return undefined;
  const message =
    `${first.service}'s gRPC span '${first.name}' hangs off the probe's own traceparent, which the probe sent over HTTP: ` +
    'the service at the probed URL recorded no span and passed the client\'s trace headers on by hand';
  return { kind: 'hop-skipped', service: '(entry)', peer: first.service, spanId: first.spanId, message };
}

/** The entry verdict for one probe. */
export function judgeEntry(probeSpans: ProbeSpans, offsets: ClockOffsets): EntryVerdict {
  const { probe, own, newRoots } = probeSpans;
  const children = probeChildren(probeSpans, offsets);
  const silent = children[0] && silentEntry(children[0]);
  if (silent) {
    const hops = [{ from: 'probe', to: '(entry)', ok: true }, { from: '(entry)', to: silent.peer!, ok: false }];
    return { effectiveTraceId: probe.traceId, entryService: '(entry)', hops, breaks: [silent] };
  }
  if (children.length > 0) {
    const skipped = skippedHops(children, own, offsets);
    const hops = [{ from: 'probe', to: children[0]!.service, ok: true }, ...skipped.hops];
    return { effectiveTraceId: probe.traceId, entryService: children[0]!.service, hops, breaks: skipped.breaks };
  }
  const root = newRoots.find((r) => r.kind === 'SERVER') ?? newRoots.find((r) => r.kind === 'CLIENT');
  if (root) {
    const linked = root.links?.some((l) => l.spanId === probe.parentSpanId);
    const why =
      root.kind === 'CLIENT'
        ? `${root.service} recorded no span for the request, and its call '${root.name}' started a new trace ${root.traceId}: ` +
          `nothing at its entry (e.g. no GraphQL plugin) reads the probe's traceparent ${probe.traceId}`
        : `${root.service} started a new trace ${root.traceId} ('${root.name}') instead of continuing the probe's ${probe.traceId}: ` +
          (linked ? 'it read the traceparent (its new trace links to it) but does not trust the caller' : 'it reads no traceparent');
    const entryBreak: Break = { kind: 'entry-new-trace', service: root.service, spanId: root.spanId, message: why };
    return {
      effectiveTraceId: root.traceId,
      entryService: root.service,
      entryRoot: root,
      restarted: { traceId: root.traceId, by: entryBreak },
      hops: [{ from: 'probe', to: root.service, ok: false }],
      breaks: [entryBreak],
    };
  }
  if (own.length > 0) return { effectiveTraceId: probe.traceId, hops: [{ from: 'probe', to: '?', ok: false }], breaks: [] };
  const message =
    `no span of the probe's trace ${probe.traceId} arrived, and no new trace started while it ran: ` +
    'is the service exporting to this receiver?';
  return { hops: [{ from: 'probe', to: '?', ok: false }], breaks: [{ kind: 'no-spans', service: '(entry)', message }] };
}
