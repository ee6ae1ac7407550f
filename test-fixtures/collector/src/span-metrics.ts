// Reads the span_metrics connector's output (the file exporter's OTLP JSON
// lines) as a support engineer would query it: the latest cumulative value of
// every `calls` series and every `duration` histogram, bucket counts included.
import { readFile } from 'node:fs/promises';
import { keyValuesToRecord, type KeyValue } from './otlp-json.js';

/** One series of `traces.span.metrics.calls` or `.duration`: its dimensions and its total so far. */
export interface SpanMetricSeries {
  metric: string;
  /** Resource attributes (service.name) and data-point attributes (span.name, tenant.id, …). */
  attributes: Record<string, unknown>;
  /** Calls: the counter's value; duration: the histogram's count. */
  count: number;
  /** Histograms only: upper bounds (the metric's unit, ms here) and the count in each bucket (one more than bounds: the last is +Inf). */
  bounds?: number[];
  buckets?: number[];
}

interface Point {
  attributes?: KeyValue[];
  asInt?: string | number;
  asDouble?: number;
  count?: string | number;
  bucketCounts?: Array<string | number>;
  explicitBounds?: number[];
  timeUnixNano?: string;
}
interface Line {
  resourceMetrics?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeMetrics?: Array<{ metrics?: Array<{ name: string; sum?: { dataPoints?: Point[] }; histogram?: { dataPoints?: Point[] } }> }>;
  }>;
}

/** Every series' latest point (cumulative temporality: the latest is the total). A missing file is no series yet. */
export async function readSpanMetrics(path: string): Promise<SpanMetricSeries[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const latest = new Map<string, SpanMetricSeries & { time: bigint }>();
  for (const line of text.split('\n')) {
    let parsed: Line;
    try {
      parsed = JSON.parse(line) as Line;
    } catch {
      continue; // empty or torn line
    }
    for (const resourceMetrics of parsed.resourceMetrics ?? []) {
      const resource = keyValuesToRecord(resourceMetrics.resource?.attributes);
      for (const metric of (resourceMetrics.scopeMetrics ?? []).flatMap((scope) => scope.metrics ?? [])) {
        for (const point of metric.sum?.dataPoints ?? metric.histogram?.dataPoints ?? []) {
          const attributes = { ...resource, ...keyValuesToRecord(point.attributes) };
          const key = `${metric.name} ${JSON.stringify(Object.entries(attributes).sort())}`;
          const time = BigInt(point.timeUnixNano ?? '0');
          const previous = latest.get(key);
          if (previous && previous.time > time) continue;
          const series: SpanMetricSeries & { time: bigint } = metric.histogram
            ? { metric: metric.name, attributes, count: Number(point.count ?? 0), bounds: point.explicitBounds ?? [], buckets: (point.bucketCounts ?? []).map(Number), time }
            : { metric: metric.name, attributes, count: Number(point.asInt ?? point.asDouble ?? 0), time };
          latest.set(key, series);
        }
      }
    }
  }
  return [...latest.values()].map(({ time: _time, ...series }) => series);
}

/** Histogram count at or below `bound` (which must be one of the explicit bounds) and above it. */
export function splitAt(series: SpanMetricSeries, bound: number): { atOrBelow: number; above: number } {
  const index = (series.bounds ?? []).indexOf(bound);
  if (index < 0) throw new Error(`${bound} is not a bucket bound of ${series.metric}: ${JSON.stringify(series.bounds)}`);
  const atOrBelow = (series.buckets ?? []).slice(0, index + 1).reduce((a, b) => a + b, 0);
  return { atOrBelow, above: series.count - atOrBelow };
}

/**
 * The histogram's p-quantile as the upper bound of the bucket it falls in
 * (what Cloud Monitoring's percentile aligners approximate too); Infinity in the +Inf bucket.
 */
export function quantileUpperBound(bounds: number[], buckets: number[], q: number): number {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return NaN;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i]!;
    if (seen >= rank) return bounds[i] ?? Infinity;
  }
  return Infinity;
}

/** Sums histograms with the same bounds (series of one operation split by status, say). */
export function mergeBuckets(series: SpanMetricSeries[]): { bounds: number[]; buckets: number[]; count: number } {
  const bounds = series[0]?.bounds ?? [];
  const buckets = new Array<number>(bounds.length + 1).fill(0);
  for (const s of series) (s.buckets ?? []).forEach((n, i) => (buckets[i] = (buckets[i] ?? 0) + n));
  return { bounds, buckets, count: series.reduce((n, s) => n + s.count, 0) };
}
