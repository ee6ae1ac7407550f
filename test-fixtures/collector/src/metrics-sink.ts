// Reads what the collector's file exporter wrote for metrics (OTLP JSON lines)
// and folds span-metrics counters into their latest cumulative value per series.
import { readFile } from 'node:fs/promises';
import { keyValuesToRecord, type KeyValue } from './otlp-json.js';

/** One series: metric name plus every resource and data-point attribute. */
export interface SeriesValue {
  metric: string;
  attributes: Record<string, unknown>;
  value: number;
}

interface NumberPoint {
  attributes?: KeyValue[];
  asInt?: string | number;
  asDouble?: number;
  count?: string | number;
  timeUnixNano?: string;
}
interface MetricsLine {
  resourceMetrics?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeMetrics?: Array<{ metrics?: Array<{ name: string; sum?: { dataPoints?: NumberPoint[] }; histogram?: { dataPoints?: NumberPoint[] } }> }>;
  }>;
}

/**
 * The latest value of every counter series (`sum`: the value; `histogram`: the
 * count), keyed by metric name and attributes. Cumulative temporality, so the
 * latest point is the total so far.
 */
export async function readLatestSeries(path: string): Promise<SeriesValue[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const latest = new Map<string, SeriesValue & { time: bigint }>();
  for (const line of text.split('\n')) {
    let parsed: MetricsLine;
    try {
      parsed = JSON.parse(line) as MetricsLine;
    } catch {
      continue; // empty or torn line
    }
    for (const resourceMetrics of parsed.resourceMetrics ?? []) {
      const resource = keyValuesToRecord(resourceMetrics.resource?.attributes);
      for (const metric of (resourceMetrics.scopeMetrics ?? []).flatMap((scope) => scope.metrics ?? [])) {
        const points = metric.sum?.dataPoints ?? metric.histogram?.dataPoints ?? [];
        for (const point of points) {
          const attributes = { ...resource, ...keyValuesToRecord(point.attributes) };
          const value = Number(metric.histogram ? point.count : (point.asInt ?? point.asDouble ?? 0));
          const key = `${metric.name} ${JSON.stringify(Object.entries(attributes).sort())}`;
          const time = BigInt(point.timeUnixNano ?? '0');
          const previous = latest.get(key);
          if (!previous || previous.time <= time) latest.set(key, { metric: metric.name, attributes, value, time });
        }
      }
    }
  }
  return [...latest.values()].map(({ metric, attributes, value }) => ({ metric, attributes, value }));
}
