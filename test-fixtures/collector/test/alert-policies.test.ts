// The alert policies in collector/alerts, without a collector: each is a
// google.monitoring.v3.AlertPolicy in shape (checked against googleapis'
// alert.proto), says what it means and what to do, uses filters the evaluator
// reads; the thresholds that stand for a configured limit are that limit's
// share (sampling.yaml's num_traces, service.yaml's memory settings); and the
// evaluator itself does what Cloud Monitoring documents on hand-made series.
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { describe, expect, test } from 'vitest';
import { evaluatePolicy, withThreshold } from '../src/alert-evaluate.js';
import { policyShapeProblems, readAlertPolicies, type AlertPolicy } from '../src/alert-policy.js';
import type { TimedPoint } from '../src/alert-series.js';
import { collectorDir, configPath, parseFilter, readServiceYaml } from '../src/index.js';

const policies = readAlertPolicies();
const threshold = (file: string, condition = 0) => policies.get(file)!.conditions[condition]!.conditionThreshold!.thresholdValue!;

test('the nine policies, each an AlertPolicy in shape with a runbook and filters naming a metric and a resource type', () => {
  expect([...policies.keys()]).toEqual([
    'export-failing.json',
    'export-queue-near-full.json',
    'memory-near-limit.json',
    'more-than-one-instance.json',
    'self-metrics-absent.json',
    'span-metrics-overflow.json',
    'spans-refused.json',
    'traces-decided-without-spans.json',
    'undecided-traces-near-num-traces.json',
  ]);
  for (const [file, policy] of policies) {
    expect(policy.documentation.content, file).toMatch(/^\*\*What it means\.\*\* .+\n\n\*\*What to do\.\*\* .+/s);
    expect(policy.documentation.mimeType).toBe('text/markdown');
    for (const condition of policy.conditions) {
      const spec = condition.conditionThreshold ?? condition.conditionAbsent!;
      for (const filter of [spec.filter, condition.conditionThreshold?.denominatorFilter].filter((f): f is string => f !== undefined)) {
        const selectors = parseFilter(filter).map((c) => c.selector);
        expect(selectors, `${file}: ${filter}`).toContain('metric.type');
        expect(selectors, `${file}: ${filter}`).toContain('resource.type');
      }
    }
  }
});

test('the shape check refuses what the Monitoring API would not parse', () => {
  const policy = JSON.parse(JSON.stringify(policies.get('export-failing.json'))) as Record<string, unknown> & AlertPolicy;
  expect(policyShapeProblems(policy)).toEqual([]);
  const typo = { ...policy, conditions: [{ ...policy.conditions[0], conditionThreshold: { ...policy.conditions[0]!.conditionThreshold, thresholdValues: 1 } }] };
  expect(policyShapeProblems(typo)).toEqual([expect.stringContaining('thresholdValues: no such field')]);
  expect(policyShapeProblems({ ...policy, combiner: 'EITHER' })).toEqual([expect.stringContaining('"EITHER" is not a value of ConditionCombinerType')]);
  expect(policyShapeProblems({ ...policy, alertStrategy: { autoClose: '30 minutes' } })).toEqual([expect.stringContaining('a Duration string')]);
});

test('thresholds that stand for a configured limit are that limit: 80 % of num_traces, 90 % of the memory_limiter soft limit and of the container memory', () => {
  const sampling = load(readFileSync(configPath('sampling.yaml'), 'utf8')) as { processors: { tail_sampling: { num_traces: number } } };
  expect(threshold('undecided-traces-near-num-traces.json')).toBe(0.8 * sampling.processors.tail_sampling.num_traces);
  const service = readServiceYaml(`${collectorDir}deploy/service.yaml`);
  const mib = 2 ** 20;
  const softLimit = (Number(service.env.MEMORY_LIMIT_MIB) - Number(service.env.MEMORY_SPIKE_LIMIT_MIB)) * mib;
  expect(threshold('memory-near-limit.json', 0)).toBe(Math.floor(0.9 * softLimit));
  expect(service.limits.memory).toBe('1Gi');
  expect(threshold('memory-near-limit.json', 1)).toBe(Math.floor(0.9 * 1024 * mib));
});

describe('the evaluator, on hand-made series', () => {
  const at = (seconds: number) => String(BigInt(1_700_000_000_000 + seconds * 1000) * 1_000_000n);
  const point = (type: string, instance: string, seconds: number, value: number, labels: Record<string, string> = {}, start = 0): TimedPoint => ({
    metric: { type: `prometheus.googleapis.com/${type}`, labels },
    resource: { type: 'prometheus_target', labels: { project_id: 'p', location: 'r', cluster: '', namespace: '', job: 'otelcol', instance } },
    value,
    startTimeUnixNano: at(start),
    timeUnixNano: at(seconds),
  });
  const accepted = (instance: string, from: number, to: number, perSecond: number, start = from) =>
    Array.from({ length: to - from + 1 }, (_, i) => point('otelcol_receiver_accepted_spans/counter', instance, from + i, (from + i - start) * perSecond, { receiver: 'otlp' }, start));
  const twoInstances = policies.get('more-than-one-instance.json')!;

  test('ALIGN_DELTA per instance, trigger count 2, duration 120 s: two instances receiving for long enough fire, a 60 s overlap does not', () => {
    const long = [...accepted('a', 0, 400, 10), ...accepted('b', 100, 400, 10)];
    const result = evaluatePolicy(twoInstances, long, { stepMs: 1000 });
    // b's first increase is at 101 s; 120 s later both have failed long enough.
    expect(result.fired).toBe(true);
    expect((result.firedAtMs! - Number(BigInt(at(0)) / 1_000_000n)) / 1000).toBe(221);
    const overlap = [...accepted('a', 0, 160, 10), ...accepted('b', 150, 400, 10)];
    expect(evaluatePolicy(twoInstances, overlap, { stepMs: 1000 }).fired).toBe(false);
    expect(evaluatePolicy(twoInstances, accepted('a', 0, 400, 10), { stepMs: 1000 }).fired).toBe(false);
  });

  test('a counter reset (a new start time) is counted from its start, not as a negative delta', () => {
    const refused = policies.get('spans-refused.json')!;
    const points = [0, 30, 60, 90].map((s) => point('otelcol_receiver_refused_spans/counter', 'a', s, 500, { receiver: 'otlp' }, -1000)); // started long before
    points.push(...[120, 150, 180, 210, 240, 270, 300].map((s) => point('otelcol_receiver_refused_spans/counter', 'a', s, (s - 110) * 2, { receiver: 'otlp' }, 110)));
    const result = evaluatePolicy(refused, points, { stepMs: 1000 });
    expect(result.fired).toBe(true);
    expect(result.conditions[0]!.trough).toBe(0);
    expect(result.conditions[0]!.peak).toBe(380); // the 5-min window from 0 s to 300 s: 20 + 6 x 60
  });

  test('absence is per job: an instance that ends while another reports is not absent; all of them silent for 5 min is', () => {
    const absent = policies.get('self-metrics-absent.json')!;
    const uptime = (instance: string, from: number, to: number) =>
      Array.from({ length: (to - from) / 30 + 1 }, (_, i) => point('otelcol_process_uptime/counter', instance, from + i * 30, i * 30, {}, from));
    expect(evaluatePolicy(absent, [...uptime('old', 0, 300), ...uptime('new', 270, 900)], { toMs: Number(BigInt(at(900)) / 1_000_000n), stepMs: 1000 }).fired).toBe(false);
    const silent = evaluatePolicy(absent, uptime('only', 0, 300), { toMs: Number(BigInt(at(900)) / 1_000_000n), stepMs: 1000 });
    expect(silent.fired).toBe(true);
    expect((silent.firedAtMs! - Number(BigInt(at(0)) / 1_000_000n)) / 1000).toBe(600);
  });

  test('a point is not seen before it arrived: data backfilled after an outage does not hide the outage', () => {
    const absent = policies.get('self-metrics-absent.json')!;
    const points = Array.from({ length: 31 }, (_, i) => {
      const p = point('otelcol_process_uptime/counter', 'a', i * 30, i * 30);
      return { ...p, arrivedAtMs: Number(BigInt(p.timeUnixNano) / 1_000_000n) + (i >= 5 && i < 25 ? (25 - i) * 30_000 : 0) };
    });
    expect(evaluatePolicy(absent, points, { stepMs: 1000 }).fired).toBe(true);
    expect(evaluatePolicy(absent, points.map(({ arrivedAtMs: _, ...p }) => p), { stepMs: 1000 }).fired).toBe(false);
  });

  test('time compression divides windows and durations; a count compared with anything but 0 is refused', () => {
    const compressed = [...accepted('a', 0, 14, 10), ...accepted('b', 3, 14, 10)].map((p) => ({
      ...p,
      timeUnixNano: String((BigInt(p.timeUnixNano) - BigInt(at(0))) / 30n + BigInt(at(0))),
      startTimeUnixNano: String((BigInt(p.startTimeUnixNano) - BigInt(at(0))) / 30n + BigInt(at(0))),
    }));
    expect(evaluatePolicy(twoInstances, compressed, { timeScale: 30, stepMs: 100 }).fired).toBe(false); // b: 11 points over 0.37 s, < 4 s
    const longer = [...accepted('a', 0, 14, 10), ...accepted('b', 3, 14, 10)];
    expect(evaluatePolicy(twoInstances, longer, { timeScale: 30, stepMs: 100 }).fired).toBe(true);
    expect(() => evaluatePolicy(withThreshold(twoInstances, 5), longer, { timeScale: 30 })).toThrow(/cannot compress time/);
    expect(evaluatePolicy(withThreshold(twoInstances, 5), longer, { stepMs: 1000 }).fired).toBe(false);
  });
});
