// What the loopback Telemetry API keeps from a decoded export request: spans
// with their destination project, and metric points as Cloud Monitoring series
// (Prometheus mapping, prometheus-target.ts), plus the points it would refuse.
import { attributesOf, type OtlpAnyValue, type OtlpKeyValue } from './otlp-proto.js';
import { metricType, prometheusTarget, rejection, type PrometheusTarget } from './prometheus-target.js';

/** A span as the API stored it. */
export interface ReceivedSpan {
  /** `gcp.project_id` of its resource: the project it was written to. */
  project: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

/** A log record as the API stored it. */
export interface ReceivedLog {
  /** `gcp.project_id` of its resource. */
  project: string;
  timeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: unknown;
  traceId?: string;
  spanId?: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

/** One metric point as a Cloud Monitoring series would hold it. */
export interface StoredPoint {
  metric: { type: string; labels: Record<string, string> };
  resource: PrometheusTarget;
  /** Counter and gauge: the value; histogram: the count. */
  value: number;
  /** Histograms only. */
  bounds?: number[];
  buckets?: number[];
  startTimeUnixNano: string;
  timeUnixNano: string;
}

export interface Stored {
  /** Some resource had no `gcp.project_id`. */
  missingProject: boolean;
  /** Every destination project in the request. */
  projects: string[];
  spans: ReceivedSpan[];
  points: StoredPoint[];
  logs: ReceivedLog[];
  rejected: Array<{ metric: string; reason: string }>;
}

interface Resourced {
  resource?: { attributes?: OtlpKeyValue[] };
}
interface DecodedSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number;
  status?: { code?: number };
  attributes?: OtlpKeyValue[];
}
interface DecodedPoint {
  attributes?: OtlpKeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  asInt?: string;
  asDouble?: number;
  count?: string;
  bucketCounts?: string[];
  explicitBounds?: number[];
}
interface DecodedMetric {
  name?: string;
  sum?: { dataPoints?: DecodedPoint[]; isMonotonic?: boolean };
  gauge?: { dataPoints?: DecodedPoint[] };
  histogram?: { dataPoints?: DecodedPoint[] };
}

function projectsOf(resources: Resourced[]): { missingProject: boolean; projects: string[] } {
  const projects = resources.map((r) => attributesOf(r.resource?.attributes)['gcp.project_id']);
  return { missingProject: projects.some((p) => typeof p !== 'string' || p === ''), projects: [...new Set(projects.filter((p): p is string => typeof p === 'string'))] };
}

export function storeSpans(decoded: unknown): Stored {
  const resourceSpans = ((decoded as { resourceSpans?: Array<Resourced & { scopeSpans?: Array<{ spans?: DecodedSpan[] }> }> }).resourceSpans ?? []);
  const spans: ReceivedSpan[] = [];
  for (const rs of resourceSpans) {
    const resource = attributesOf(rs.resource?.attributes);
    for (const span of (rs.scopeSpans ?? []).flatMap((scope) => scope.spans ?? [])) {
      spans.push({
        project: String(resource['gcp.project_id'] ?? ''),
        traceId: span.traceId ?? '',
        spanId: span.spanId ?? '',
        ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
        name: span.name ?? '',
        kind: span.kind ?? 0,
        statusCode: span.status?.code ?? 0,
        attributes: attributesOf(span.attributes),
        resource,
      });
    }
  }
  return { ...projectsOf(resourceSpans), spans, points: [], logs: [], rejected: [] };
}

export function storeMetrics(decoded: unknown): Stored {
  const resourceMetrics = ((decoded as { resourceMetrics?: Array<Resourced & { scopeMetrics?: Array<{ metrics?: DecodedMetric[] }> }> }).resourceMetrics ?? []);
  const points: StoredPoint[] = [];
  const rejected: Array<{ metric: string; reason: string }> = [];
  for (const rm of resourceMetrics) {
    const target = prometheusTarget(attributesOf(rm.resource?.attributes));
    for (const metric of (rm.scopeMetrics ?? []).flatMap((scope) => scope.metrics ?? [])) {
      const name = metric.name ?? '';
      const shape = metric.histogram ? 'histogram' : metric.sum ? 'sum' : 'gauge';
      const type = metricType(name, shape, metric.sum?.isMonotonic === true);
      for (const point of (metric.histogram ?? metric.sum ?? metric.gauge)?.dataPoints ?? []) {
        const attributes = attributesOf(point.attributes);
        const reason = rejection(name, target, attributes);
        if (reason) {
          rejected.push({ metric: name, reason });
          continue;
        }
        const labels = Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, String(value)]));
        points.push({
          metric: { type, labels },
          resource: target,
          value: shape === 'histogram' ? Number(point.count ?? 0) : Number(point.asInt ?? point.asDouble ?? 0),
          ...(shape === 'histogram' ? { bounds: point.explicitBounds ?? [], buckets: (point.bucketCounts ?? []).map(Number) } : {}),
          startTimeUnixNano: point.startTimeUnixNano ?? '0',
          timeUnixNano: point.timeUnixNano ?? '0',
        });
      }
    }
  }
  return { ...projectsOf(resourceMetrics), spans: [], points, logs: [], rejected };
}

interface DecodedLog {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  body?: OtlpAnyValue;
  traceId?: string;
  spanId?: string;
  attributes?: OtlpKeyValue[];
}

export function storeLogs(decoded: unknown): Stored {
  const resourceLogs = ((decoded as { resourceLogs?: Array<Resourced & { scopeLogs?: Array<{ logRecords?: DecodedLog[] }> }> }).resourceLogs ?? []);
  const logs: ReceivedLog[] = [];
  for (const rl of resourceLogs) {
    const resource = attributesOf(rl.resource?.attributes);
    for (const record of (rl.scopeLogs ?? []).flatMap((scope) => scope.logRecords ?? [])) {
      logs.push({
        project: String(resource['gcp.project_id'] ?? ''),
        timeUnixNano: record.timeUnixNano ?? record.observedTimeUnixNano ?? '0',
        severityNumber: record.severityNumber ?? 0,
        severityText: record.severityText ?? '',
        body: attributesOf([{ key: 'body', ...(record.body ? { value: record.body } : {}) }])['body'],
        ...(record.traceId ? { traceId: record.traceId } : {}),
        ...(record.spanId ? { spanId: record.spanId } : {}),
        attributes: attributesOf(record.attributes),
        resource,
      });
    }
  }
  return { ...projectsOf(resourceLogs), spans: [], points: [], logs, rejected: [] };
}

/** The latest point of every series (metric type, labels, resource labels). */
export function latest(points: StoredPoint[]): StoredPoint[] {
  const byIdentity = new Map<string, StoredPoint>();
  for (const point of points) {
    const key = JSON.stringify([point.metric.type, Object.entries(point.metric.labels).sort(), Object.entries(point.resource.labels).sort()]);
    const previous = byIdentity.get(key);
    if (!previous || BigInt(previous.timeUnixNano) <= BigInt(point.timeUnixNano)) byIdentity.set(key, point);
  }
  return [...byIdentity.values()];
}
