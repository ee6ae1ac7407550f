// Evaluates an alert policy (collector/alerts/*.json) on the points a loopback
// Telemetry API received, the way Cloud Monitoring evaluates it live
// (https://cloud.google.com/monitoring/alerts/concepts-indepth): at each
// evaluation time t, only the points that had arrived by t; each condition's
// filter (monitoring-filter.ts), aggregation (alert-series.ts), optional
// denominator (a ratio per output series), comparison against thresholdValue;
// a series fails once the comparison has held for `duration`; the condition
// holds when `trigger` (default: one series) fails. MetricAbsence: a series
// that had data and then none for `duration`. Policies combine conditions
// with OR (or AND: at the same time).
//
// Time compression: a test cannot wait five minutes per fault, so it may run
// the collector with its export interval divided by `timeScale` and evaluate
// with every alignment period and duration divided by the same factor
// (the ratio of points per window stays what it is in production). Thresholds
// are compared as written; a count threshold is only scale-free when it is 0
// (any event fires), so a count (ALIGN_DELTA, ALIGN_RATE) compared with anything
// else under a timeScale other than 1 is refused.
import type { AlertCondition, AlertPolicy, MetricAbsence, MetricThreshold } from './alert-policy.js';
import { aggregate, seconds, toSeries, type AlignedValue, type Series, type TimedPoint } from './alert-series.js';
import { matchesFilter } from './monitoring-filter.js';

/** Options for {@link evaluatePolicy}. */
export interface EvaluateOptions {
  /** First evaluation time, ms since the epoch. @default the first point's time */
  fromMs?: number;
  /** Last evaluation time, ms since the epoch. @default the last point's time */
  toMs?: number;
  /** Alignment periods and durations are divided by this (see the module comment). @default 1 */
  timeScale?: number;
  /** Evaluation step, ms. @default a quarter of the shortest (scaled) alignment period */
  stepMs?: number;
  /**
   * Evaluate count thresholds other than 0 under a timeScale anyway: for checks
   * that move a threshold on purpose (is the threshold what fires it?), whose
   * result is not a statement about production windows.
   * @default false
   */
  allowScaledCounts?: boolean;
}

export interface ConditionResult {
  displayName: string;
  /** When the condition first held (ms), if ever. */
  firedAtMs?: number;
  /** The largest value the condition compared (threshold conditions), over the whole run: what the fault produced. */
  peak?: number;
  /** The smallest value compared. */
  trough?: number;
}

export interface PolicyResult {
  displayName: string;
  fired: boolean;
  firedAtMs?: number;
  conditions: ConditionResult[];
}

/** Evaluates every condition over the run; see the module comment. */
export function evaluatePolicy(policy: AlertPolicy, points: TimedPoint[], options: EvaluateOptions = {}): PolicyResult {
  const timeScale = options.timeScale ?? 1;
  const times = points.map((p) => Number(BigInt(p.timeUnixNano) / 1_000_000n));
  const fromMs = options.fromMs ?? Math.min(...times);
  const toMs = options.toMs ?? Math.max(...times);
  const periods = policy.conditions.flatMap((c) => [...aggregationsOf(c)].map((a) => seconds(a.alignmentPeriod)));
  const stepMs = options.stepMs ?? (Math.min(...periods, 60) * 1000) / timeScale / 4;
  const evaluators = policy.conditions.map((condition) => conditionEvaluator(condition, points, timeScale, options.allowScaledCounts ?? false));
  const firedAt: Array<number | undefined> = policy.conditions.map(() => undefined);
  let policyFiredAt: number | undefined;
  for (let t = fromMs; t <= toMs; t += stepMs) {
    const holding = evaluators.map((evaluate) => evaluate(t));
    holding.forEach((holds, i) => {
      if (holds && firedAt[i] === undefined) firedAt[i] = t;
    });
    const fires = policy.combiner === 'AND' ? holding.every(Boolean) : holding.some(Boolean);
    if (fires && policyFiredAt === undefined) policyFiredAt = t;
  }
  return {
    displayName: policy.displayName,
    fired: policyFiredAt !== undefined,
    ...(policyFiredAt !== undefined ? { firedAtMs: policyFiredAt } : {}),
    conditions: policy.conditions.map((condition, i) => ({
      displayName: condition.displayName,
      ...(firedAt[i] !== undefined ? { firedAtMs: firedAt[i] } : {}),
      ...evaluators[i]!.range(),
    })),
  };
}

/** A copy of the policy with every threshold condition's thresholdValue replaced (for "fails when set above" checks). */
export function withThreshold(policy: AlertPolicy, thresholdValue: number): AlertPolicy {
  return {
    ...policy,
    conditions: policy.conditions.map((c) => (c.conditionThreshold ? { ...c, conditionThreshold: { ...c.conditionThreshold, thresholdValue } } : c)),
  };
}

function aggregationsOf(condition: AlertCondition) {
  const spec = condition.conditionThreshold ?? condition.conditionAbsent;
  return [...(spec?.aggregations ?? []), ...(condition.conditionThreshold?.denominatorAggregations ?? [])];
}

type Evaluator = ((t: number) => boolean) & { range(): { peak?: number; trough?: number } };

function conditionEvaluator(condition: AlertCondition, points: TimedPoint[], timeScale: number, allowScaledCounts: boolean): Evaluator {
  if (condition.conditionThreshold) return thresholdEvaluator(condition.conditionThreshold, points, allowScaledCounts ? 1 : timeScale, timeScale);
  if (condition.conditionAbsent) return absenceEvaluator(condition.conditionAbsent, points, timeScale);
  throw new Error(`condition ${condition.displayName}: only conditionThreshold and conditionAbsent are evaluated here`);
}

function selected(filter: string, points: TimedPoint[]): Series[] {
  return toSeries(points.filter((point) => matchesFilter(filter, point)));
}

function checkApiRules(spec: MetricThreshold | MetricAbsence, name: string, timeScale: number, threshold?: number): void {
  const aggregations = spec.aggregations ?? [];
  if (aggregations.length !== 1) throw new Error(`${name}: exactly one aggregation is evaluated here`);
  if (seconds(spec.duration) % 60 !== 0) throw new Error(`${name}: duration must be a whole number of minutes (alert.proto)`);
  for (const a of aggregations) if (seconds(a.alignmentPeriod) < 60) throw new Error(`${name}: alignmentPeriod must be at least 60s (common.proto)`);
  const counts = aggregations.some((a) => a.perSeriesAligner === 'ALIGN_DELTA' || a.perSeriesAligner === 'ALIGN_RATE');
  if (timeScale !== 1 && counts && threshold !== undefined && threshold !== 0) throw new Error(`${name}: a count compared with ${threshold} depends on the window's length; cannot compress time`);
}

function thresholdEvaluator(spec: MetricThreshold, points: TimedPoint[], checkedScale: number, timeScale: number): Evaluator {
  const threshold = spec.thresholdValue ?? 0;
  checkApiRules(spec, spec.filter, checkedScale, threshold);
  if (spec.comparison !== 'COMPARISON_GT' && spec.comparison !== 'COMPARISON_LT') throw new Error(`${spec.filter}: only COMPARISON_GT and COMPARISON_LT are supported (alert.proto)`);
  const numerator = selected(spec.filter, points);
  const denominator = spec.denominatorFilter ? selected(spec.denominatorFilter, points) : undefined;
  const durationMs = (seconds(spec.duration) * 1000) / timeScale;
  const failingSince = new Map<string, number>();
  let peak: number | undefined;
  let trough: number | undefined;
  const evaluate = (t: number): boolean => {
    let values: AlignedValue[] = aggregate(numerator, spec.aggregations![0], t, timeScale);
    if (denominator) {
      const below = new Map(aggregate(denominator, spec.denominatorAggregations?.[0], t, timeScale).map((v) => [v.key, v.value]));
      values = values.flatMap((v) => (below.get(v.key) ? [{ key: v.key, value: v.value / below.get(v.key)! }] : []));
    }
    let failing = 0;
    const seen = new Set<string>();
    for (const { key, value } of values) {
      peak = peak === undefined ? value : Math.max(peak, value);
      trough = trough === undefined ? value : Math.min(trough, value);
      seen.add(key);
      const breaches = spec.comparison === 'COMPARISON_GT' ? value > threshold : value < threshold;
      if (!breaches) failingSince.delete(key);
      else if (!failingSince.has(key)) failingSince.set(key, t);
      if (breaches && t - failingSince.get(key)! >= durationMs) failing++;
    }
    for (const key of [...failingSince.keys()]) if (!seen.has(key)) failingSince.delete(key); // no data: not failing
    return triggered(spec.trigger, failing, values.length);
  };
  return Object.assign(evaluate, { range: () => ({ ...(peak !== undefined ? { peak } : {}), ...(trough !== undefined ? { trough } : {}) }) });
}

function absenceEvaluator(spec: MetricAbsence, points: TimedPoint[], timeScale: number): Evaluator {
  checkApiRules(spec, spec.filter, timeScale);
  const aggregation = spec.aggregations![0]!;
  // With a cross-series reducer the output series are the groups (e.g. one per
  // job): a group is absent only when none of its series has data.
  const fields = aggregation.crossSeriesReducer && aggregation.crossSeriesReducer !== 'REDUCE_NONE' ? (aggregation.groupByFields ?? []) : undefined;
  const groups = new Map<string, Series[]>();
  for (const s of selected(spec.filter, points)) {
    const key = fields ? JSON.stringify(fields.map((f) => groupValue(s, f))) : s.key;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const durationMs = (seconds(spec.duration) * 1000) / timeScale;
  const evaluate = (t: number): boolean => {
    // Absent at t: data visible from before t - duration, and none since.
    const visible = (s: Series, from: number, to: number) => s.points.some((p) => p.atMs > from && p.atMs <= to && p.arrivedAtMs <= t);
    const known = [...groups.values()].filter((members) => members.some((s) => visible(s, -Infinity, t - durationMs)));
    const absent = known.filter((members) => !members.some((s) => visible(s, t - durationMs, t)));
    return known.length > 0 && triggered(spec.trigger, absent.length, known.length);
  };
  return Object.assign(evaluate, { range: () => ({}) });
}

function groupValue(series: Series, field: string): string {
  const match = /^(metric|resource)\.labels?\.(.+)$/.exec(field);
  if (!match) throw new Error(`groupByFields entry not understood: ${field}`);
  const key = match[2]!.replace(/^"|"$/g, '');
  return (match[1] === 'metric' ? series.identity.metric.labels[key] : series.identity.resource.labels[key]) ?? '';
}

function triggered(trigger: { count?: number; percent?: number } | undefined, failing: number, total: number): boolean {
  if (trigger?.percent !== undefined) return total > 0 && (100 * failing) / total >= trigger.percent;
  return failing >= (trigger?.count ?? 1);
}
