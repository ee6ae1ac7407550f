// Which breaks follow from another: once a trace is lost at a hop, the
// services behind it have no tenant and log another trace; once a service
// passes the client's headers on, the services behind it believe them; a
// tenant or baggage member wrong upstream is wrong downstream too. Those are
// marked with their cause and not counted: fixing the cause removes them.
import type { Break, BreakKind, TreeSpan } from './types.js';

/** A break that starts the services `behind` it on another trace, or on the client's headers. */
export interface TraceBreak {
  by: Break;
  /** The spans after the break: the new trace, or the callee's subtree. */
  behind: TreeSpan[];
  /** The kinds of break it causes there. */
  follows: BreakKind[];
}

/** What a lost trace takes away downstream (baggage with the tenant, the trace in log lines). */
export const AFTER_LOST_TRACE: BreakKind[] = ['tenant-missing', 'tenant-mismatch', 'log-foreign-trace'];
/** What a service with no span for the request lacks itself: a context for its log lines and its tenant. */
export const AFTER_NO_ENTRY_SPAN: BreakKind[] = ['tenant-missing', 'log-without-trace'];
/** What forwarded client headers bring downstream. */
export const AFTER_SKIPPED_HOP: BreakKind[] = [...AFTER_LOST_TRACE, 'tenant-from-client', 'baggage-leak', 'vendor-header-leak'];
/** Carried in baggage: wrong upstream, wrong downstream. */
const PROPAGATED: BreakKind[] = ['tenant-missing', 'tenant-mismatch', 'tenant-from-client', 'baggage-leak'];

const causeOf = (b: Break) => ({ kind: b.kind, service: b.service });

/** Services with a span that is an ancestor of one of `service`'s spans. */
export function upstreamOf(service: string, spans: TreeSpan[]): Set<string> {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const upstream = new Set<string>();
  for (const span of spans.filter((s) => s.service === service)) {
    const seen = new Set<string>();
    for (let parent = byId.get(span.parentSpanId ?? ''); parent && !seen.has(parent.spanId); parent = byId.get(parent.parentSpanId ?? '')) {
      seen.add(parent.spanId);
      if (parent.service !== service) upstream.add(parent.service);
    }
  }
  return upstream;
}

/**
 * Splits one probe's breaks into causes and consequences. `spanBreaks` came
 * from spans, `logBreaks` from log lines (some already carry `causedBy`).
 */
export function separateConsequences(spanBreaks: Break[], logBreaks: Break[], traceBreaks: TraceBreak[], spans: TreeSpan[]) {
  const consequences: Break[] = [];
  const causes: Break[] = [];
  const spanCause = (kind: BreakKind, service: string) => spanBreaks.find((b) => b.kind === kind && b.service === service);
  const find = (b: Break, fromLogs: boolean, depth = 0): Break | undefined => {
    if (depth > 8) return undefined; // services calling each other back
    for (const { by, behind, follows } of traceBreaks) {
      if (by !== b && follows.includes(b.kind) && behind.some((s) => s.service === b.service)) return by;
    }
    if (!PROPAGATED.includes(b.kind)) return undefined;
    const upstream = upstreamOf(b.service, spans);
    const above = spanBreaks.find((u) => u.kind === b.kind && upstream.has(u.service));
    if (above) return find(above, false, depth + 1) ?? above;
    // The same mistake seen in a service's log lines and its spans is one mistake.
    const same = fromLogs ? spanCause(b.kind, b.service) : undefined;
    return same && (find(same, false, depth + 1) ?? same);
  };
  for (const [b, fromLogs] of [...spanBreaks.map((x) => [x, false] as const), ...logBreaks.map((x) => [x, true] as const)]) {
    if (b.causedBy) consequences.push(b);
    else {
      const cause = find(b, fromLogs);
      if (cause) consequences.push({ ...b, causedBy: causeOf(cause) });
      else causes.push(b);
    }
  }
  return { breaks: causes, consequences };
}
