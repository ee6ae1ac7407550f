// Spans from every service (Node SDK spans, Java agent spans, anything sent
// over OTLP) as one tree: for the doctor's verdicts and for printing.
import { listAt } from './list-at.js';
import type { TreeSpan } from './types.js';

/** One trace as a tree. */
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
    else listAt(childrenOf, span.parentSpanId).push(span);
  }
  const byStart = (a: TreeSpan, b: TreeSpan) => (a.startMs ?? 0) - (b.startMs ?? 0);
  const children = (span: TreeSpan) => (childrenOf.get(span.spanId) ?? []).sort(byStart);
  return { roots: roots.sort(byStart), orphans: orphans.sort(byStart), children };
}

/** Spans in tree order (depth first), each with its depth: for printing and waterfalls. */
export function walkTrace(spans: TreeSpan[]): Array<{ span: TreeSpan; depth: number; last: boolean; prefix: string }> {
  const tree = traceTree(spans);
  const out: Array<{ span: TreeSpan; depth: number; last: boolean; prefix: string }> = [];
  const seen = new Set<string>();
  const visit = (span: TreeSpan, prefix: string, last: boolean, depth: number) => {
    if (seen.has(span.spanId)) return; // a malformed export can make a cycle
    seen.add(span.spanId);
    out.push({ span, depth, last, prefix });
    const children = tree.children(span);
    const childPrefix = depth === 0 ? prefix : prefix + (last ? '   ' : '│  ');
    children.forEach((child, i) => visit(child, childPrefix, i === children.length - 1, depth + 1));
  };
  // Roots and spans whose parent is elsewhere (the caller, outside) in time order.
  const starts = [...tree.roots, ...tree.orphans].sort((a, b) => (a.startMs ?? 0) - (b.startMs ?? 0));
  for (const root of starts) visit(root, '', true, 0);
  return out;
}

/**
 * The trace as indented lines: service, span name, kind, duration, status,
 * tenant. A span whose parent is not among `spans` (the caller's span, outside
 * the system) is drawn as a root that names that parent.
 */
export function renderTrace(spans: TreeSpan[]): string[] {
  return walkTrace(spans).map(({ span, depth, last, prefix }) => {
    const branch = depth === 0 ? '' : last ? '└─ ' : '├─ ';
    const duration = span.durationMs === undefined ? '' : ` ${span.durationMs.toFixed(1)}ms`;
    const tenant = span.tenant ? ` tenant=${span.tenant}` : '';
    const remoteParent = depth === 0 && span.parentSpanId ? `  ← remote parent ${span.parentSpanId}` : '';
    return `${prefix}${branch}[${span.service}] ${span.name} (${span.kind}${duration}, ${span.status}${tenant})${remoteParent}`;
  });
}
