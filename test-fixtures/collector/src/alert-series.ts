// Time series as Cloud Monitoring aligns and reduces them for an alert condition
// (https://cloud.google.com/monitoring/api/v3/aggregation, and the Aligner and
// Reducer comments of google/monitoring/v3/common.proto): points grouped into
// series by metric type, metric labels and resource labels; each series aligned
// over the window (t - alignmentPeriod, t] by its per-series aligner; the aligned
// series reduced across the groups that `groupByFields` keep. The subset the
// policies in collector/alerts use: ALIGN_DELTA and ALIGN_RATE on cumulative
// metrics (counters, histograms: their count), ALIGN_MAX, ALIGN_MIN, ALIGN_MEAN,
// ALIGN_NEXT_OLDER on gauges; REDUCE_SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_MEAN,
// REDUCE_COUNT, REDUCE_NONE. Anything else throws.
import type { Aggregation } from './alert-policy.js';
import type { SeriesIdentity } from './monitoring-filter.js';

/** A point as the API holds it: its series identity, value, timestamps; `arrivedAtMs` when known. */
export interface TimedPoint extends SeriesIdentity {
  value: number;
  startTimeUnixNano: string;
  timeUnixNano: string;
  /** When the point reached the API (a point is not visible before it arrived). */
  arrivedAtMs?: number;
}

/** One series: identity and its points sorted by time (ms). */
export interface Series {
  key: string;
  identity: SeriesIdentity;
  cumulative: boolean;
  points: Array<{ atMs: number; startMs: number; value: number; arrivedAtMs: number }>;
}

/** An aligned (and maybe reduced) value of one output series at one evaluation time. */
export interface AlignedValue {
  /** The output series: its group-by labels (or the series key without a reducer). */
  key: string;
  value: number;
}

const ms = (nanos: string) => Number(BigInt(nanos) / 1_000_000n);
/** The seconds of a proto3 JSON Duration ("60s", "0.5s"). */
export const seconds = (duration: string) => Number(duration.replace(/s$/, ''));

/** Groups points into series; the metric kind comes from the Prometheus type suffix. */
export function toSeries(points: TimedPoint[]): Series[] {
  const byKey = new Map<string, Series>();
  for (const point of points) {
    const key = JSON.stringify([point.metric.type, Object.entries(point.metric.labels).sort(), Object.entries(point.resource.labels).sort()]);
    let series = byKey.get(key);
    if (!series) {
      const cumulative = /\/(counter|histogram)$/.test(point.metric.type);
      series = { key, identity: { metric: point.metric, resource: point.resource }, cumulative, points: [] };
      byKey.set(key, series);
    }
    const atMs = ms(point.timeUnixNano);
    series.points.push({ atMs, startMs: ms(point.startTimeUnixNano), value: point.value, arrivedAtMs: point.arrivedAtMs ?? atMs });
  }
  for (const series of byKey.values()) series.points.sort((a, b) => a.atMs - b.atMs);
  return [...byKey.values()];
}

/** The value of `field` (`metric.label.KEY`, `resource.label.KEY`, `metric.type`, `resource.type`) of a series. */
function fieldOf(identity: SeriesIdentity, field: string): string {
  const match = /^(metric|resource)\.labels?\.(.+)$/.exec(field);
  if (match) {
    const key = match[2]!.replace(/^"|"$/g, '');
    return (match[1] === 'metric' ? identity.metric.labels[key] : identity.resource.labels[key]) ?? '';
  }
  if (field === 'metric.type') return identity.metric.type;
  if (field === 'resource.type') return identity.resource.type;
  throw new Error(`groupByFields entry not understood: ${field}`);
}

/** One series aligned over (t - periodMs, t], or undefined when it has no point there. */
export function align(series: Series, aligner: string, t: number, periodMs: number): number | undefined {
  const visible = series.points.filter((p) => p.atMs <= t && p.arrivedAtMs <= t);
  const inWindow = visible.filter((p) => p.atMs > t - periodMs);
  if (inWindow.length === 0) return undefined;
  if (aligner === 'ALIGN_DELTA' || aligner === 'ALIGN_RATE') {
    if (!series.cumulative) throw new Error(`${aligner} needs a cumulative metric (counter, histogram): ${series.identity.metric.type}`);
    const before = visible.filter((p) => p.atMs <= t - periodMs).at(-1);
    // Sum the increases, restarting at a reset (a new start time: a new process).
    let delta = 0;
    let previous = before;
    for (const point of inWindow) {
      if (previous && previous.startMs === point.startMs) delta += point.value - previous.value;
      else if (previous || point.startMs > t - periodMs) delta += point.value; // counted from its start
      previous = point;
    }
    return aligner === 'ALIGN_DELTA' ? delta : delta / (periodMs / 1000);
  }
  if (series.cumulative) throw new Error(`${aligner} needs a gauge: ${series.identity.metric.type}`);
  const values = inWindow.map((p) => p.value);
  switch (aligner) {
    case 'ALIGN_MAX':
      return Math.max(...values);
    case 'ALIGN_MIN':
      return Math.min(...values);
    case 'ALIGN_MEAN':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'ALIGN_NEXT_OLDER':
      return values.at(-1);
    default:
      throw new Error(`aligner not supported here: ${aligner}`);
  }
}

/** Aligns every series and applies the cross-series reducer; `timeScale` shortens the period. */
export function aggregate(series: Series[], aggregation: Aggregation | undefined, t: number, timeScale: number): AlignedValue[] {
  if (!aggregation) throw new Error('an aggregation with a per-series aligner is required here');
  const periodMs = (seconds(aggregation.alignmentPeriod) * 1000) / timeScale;
  const aligned: Array<{ series: Series; value: number }> = [];
  for (const s of series) {
    const value = align(s, aggregation.perSeriesAligner ?? 'ALIGN_NONE', t, periodMs);
    if (value !== undefined) aligned.push({ series: s, value });
  }
  const reducer = aggregation.crossSeriesReducer ?? 'REDUCE_NONE';
  if (reducer === 'REDUCE_NONE') return aligned.map(({ series: s, value }) => ({ key: s.key, value }));
  const fields = aggregation.groupByFields ?? [];
  const groups = new Map<string, number[]>();
  for (const { series: s, value } of aligned) {
    const key = JSON.stringify(fields.map((field) => [field, fieldOf(s.identity, field)]));
    groups.set(key, [...(groups.get(key) ?? []), value]);
  }
  return [...groups].map(([key, values]) => ({ key, value: reduce(reducer, values) }));
}

function reduce(reducer: string, values: number[]): number {
  switch (reducer) {
    case 'REDUCE_SUM':
      return values.reduce((a, b) => a + b, 0);
    case 'REDUCE_MAX':
      return Math.max(...values);
    case 'REDUCE_MIN':
      return Math.min(...values);
    case 'REDUCE_MEAN':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'REDUCE_COUNT':
      return values.length;
    default:
      throw new Error(`reducer not supported here: ${reducer}`);
  }
}
