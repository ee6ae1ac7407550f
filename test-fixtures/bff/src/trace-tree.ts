// Spans from every service (Node SDK spans, Kotlin agent spans) as one tree:
// for the end-to-end assertions (no orphans) and for the demo's printout.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** The fields a trace tree needs, from whichever exporter the span came. */
export interface TreeSpan {
  service: string;
  name: string;
  kind: 'SERVER' | 'CLIENT' | 'INTERNAL' | 'PRODUCER' | 'CONSUMER';
  traceId: string;
  spanId: string;
  parentSpanId?: string | undefined;
  /** Start, for ordering siblings (epoch ms); absent when the exporter gave none. */
  startMs?: number | undefined;
  durationMs?: number | undefined;
  status: 'OK' | 'ERROR' | 'UNSET';
  tenant?: string | undefined;
}

const NODE_KINDS = { [SpanKind.SERVER]: 'SERVER', [SpanKind.CLIENT]: 'CLIENT', [SpanKind.INTERNAL]: 'INTERNAL', [SpanKind.PRODUCER]: 'PRODUCER', [SpanKind.CONSUMER]: 'CONSUMER' } as const;

/** A Node SDK span as a {@link TreeSpan}. */
export function fromReadableSpan(span: ReadableSpan): TreeSpan {
  const toMs = ([seconds, nanos]: [number, number]) => seconds * 1e3 + nanos / 1e6;
  const tenant = span.attributes['tenant.id'];
  return {
    service: String(span.resource.attributes['service.name'] ?? 'unknown'),
    name: span.name,
    kind: NODE_KINDS[span.kind],
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    startMs: toMs(span.startTime),
    durationMs: toMs(span.duration),
    status: span.status.code === SpanStatusCode.ERROR ? 'ERROR' : span.status.code === SpanStatusCode.OK ? 'OK' : 'UNSET',
    tenant: typeof tenant === 'string' ? tenant : undefined,
  };
}

export interface TraceTree {
  roots: TreeSpan[];
  /** Spans whose parent is named but absent: a broken hop. */
  orphans: TreeSpan[];
  children(span: TreeSpan): TreeSpan[];
}

/** Builds the tree of one trace. A span is a root when it has no parent at all. */
export function traceTree(spans: TreeSpan[]): TraceTree {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const childrenOf = new Map<string, TreeSpan[]>();
  const roots: TreeSpan[] = [];
  const orphans: TreeSpan[] = [];
  for (const span of spans) {
    if (!span.parentSpanId) roots.push(span);
    else if (!byId.has(span.parentSpanId)) orphans.push(span);
    else childrenOf.set(span.parentSpanId, [...(childrenOf.get(span.parentSpanId) ?? []), span]);
  }
  const byStart = (a: TreeSpan, b: TreeSpan) => (a.startMs ?? 0) - (b.startMs ?? 0);
  return { roots: roots.sort(byStart), orphans, children: (span) => (childrenOf.get(span.spanId) ?? []).sort(byStart) };
}

/**
 * The trace as indented lines: service, span name, kind, duration, status,
 * tenant. A span whose parent is not among `spans` (the caller's span, outside
 * the system) is drawn as a root that names that parent.
 */
export function renderTrace(spans: TreeSpan[]): string[] {
  const tree = traceTree(spans);
  const lines: string[] = [];
  const visit = (span: TreeSpan, prefix: string, last: boolean, depth: number) => {
    const branch = depth === 0 ? '' : last ? '└─ ' : '├─ ';
    const duration = span.durationMs === undefined ? '' : ` ${span.durationMs.toFixed(1)}ms`;
    const tenant = span.tenant ? ` tenant=${span.tenant}` : '';
    const remoteParent = depth === 0 && span.parentSpanId ? `  ← remote parent ${span.parentSpanId}` : '';
    lines.push(`${prefix}${branch}[${span.service}] ${span.name} (${span.kind}${duration}, ${span.status}${tenant})${remoteParent}`);
    const children = tree.children(span);
    const childPrefix = depth === 0 ? prefix : prefix + (last ? '   ' : '│  ');
    children.forEach((child, i) => visit(child, childPrefix, i === children.length - 1, depth + 1));
  };
  for (const root of [...tree.roots, ...tree.orphans]) visit(root, '', true, 0);
  return lines;
}
