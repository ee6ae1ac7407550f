// The per-hospital view a support engineer or an SLO review looks at, read from
// the span_metrics connector's output: per hospital and operation (GraphQL
// operations at the BFF, gRPC methods at each backend), the requests, errors
// and p95 of SERVER spans. Histograms only know buckets, so p95 is reported as
// the upper bound of the bucket it falls in.
import { mergeBuckets, quantileUpperBound, type SpanMetricSeries } from './span-metrics.js';

/** One row of the table. */
export interface HospitalSliRow {
  /** `tenant.id` (the authenticated hospital). */
  hospital: string;
  /** `GraphQL <graphql.operation.name>` at the BFF, or `gRPC <rpc.method> @ <service.name>`. */
  operation: string;
  requests: number;
  errors: number;
  /** The upper bound (ms) of the duration bucket holding the 95th percentile; Infinity past the last bound. */
  p95AtMostMs: number;
}

function operationOf(attributes: Record<string, unknown>): string | undefined {
  const service = String(attributes['service.name']);
  if (attributes['graphql.operation.name'] !== undefined) return `GraphQL ${String(attributes['graphql.operation.name'])}`;
  if (attributes['rpc.method'] !== undefined) return `gRPC ${String(attributes['rpc.method'])} @ ${service}`;
  return undefined;
}

/** Rows for every hospital (`tenant.id` other than `none`) and operation seen in SERVER spans, sorted. */
export function hospitalSlis(series: SpanMetricSeries[]): HospitalSliRow[] {
  const groups = new Map<string, { hospital: string; operation: string; calls: SpanMetricSeries[]; durations: SpanMetricSeries[] }>();
  for (const s of series) {
    const a = s.attributes;
    const operation = operationOf(a);
    if (a['span.kind'] !== 'SPAN_KIND_SERVER' || a['tenant.id'] === 'none' || a['tenant.id'] === undefined || operation === undefined) continue;
    const hospital = String(a['tenant.id']);
    const key = `${hospital}\u0000${operation}`;
    const group = groups.get(key) ?? { hospital, operation, calls: [], durations: [] };
    if (s.metric.endsWith('.calls')) group.calls.push(s);
    else if (s.metric.endsWith('.duration')) group.durations.push(s);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(({ hospital, operation, calls, durations }) => {
      const merged = mergeBuckets(durations);
      return {
        hospital,
        operation,
        requests: calls.reduce((n, s) => n + s.count, 0),
        errors: calls.filter((s) => s.attributes['status.code'] === 'STATUS_CODE_ERROR').reduce((n, s) => n + s.count, 0),
        p95AtMostMs: quantileUpperBound(merged.bounds, merged.buckets, 0.95),
      };
    })
    .sort((x, y) => x.hospital.localeCompare(y.hospital) || x.operation.localeCompare(y.operation));
}

const formatMs = (ms: number) => (ms === Infinity ? '> last bound' : ms >= 1000 ? `≤ ${ms / 1000} s` : `≤ ${ms} ms`);

/** The rows as a fixed-width text table. */
export function formatSliTable(rows: HospitalSliRow[]): string[] {
  const header = ['hospital', 'operation', 'requests', 'errors', 'error rate', 'p95 (bucket upper bound)'];
  const cells = rows.map((r) => [r.hospital, r.operation, String(r.requests), String(r.errors), `${((100 * r.errors) / Math.max(1, r.requests)).toFixed(1)} %`, formatMs(r.p95AtMostMs)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((cell, i) => (i >= 2 && i <= 4 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...cells.map(line)];
}
