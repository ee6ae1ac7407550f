// 10,000 distinct operation names (issue 22, item 3): a service that names its
// spans freely (after client input, URLs, IDs) sends about 1,000 spans a second
// for 12 s, cycling through 10,000 names; the span_metrics connector reaches its ceiling of 2,000 series
// (SPANMETRICS_CARDINALITY_LIMIT) and folds the rest into the overflow series,
// which reaches the Telemetry API with the span metrics: span-metrics-overflow
// fires, naming the service. Its twin sends the same spans under 20 names and
// stays quiet. The collector's own series do not take values from the traffic:
// no span name or service name becomes a label of its self-metrics.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startSelfMonitoredCollector, type SelfMonitoredCollector } from '../src/self-monitored.js';
import { startSpanFloodProcess } from '../src/span-flood-process.js';
import type { SpanFloodResult } from '../src/span-flood.js';
import { expectFiresOnlyOnFault, sleep } from './selfmon.js';

const SPANS = 12_000;
const FLOOD_MS = 12_000;
let named: SelfMonitoredCollector;
let bounded: SelfMonitoredCollector;
let runMs: number;
let offered: SpanFloodResult;

beforeAll(async () => {
  [named, bounded] = await Promise.all([startSelfMonitoredCollector(), startSelfMonitoredCollector()]);
  const spansPerSecond = SPANS / (FLOOD_MS / 1000);
  const floods = await Promise.all([
    startSpanFloodProcess({ url: named.collector.otlpHttpUrl, spansPerSecond, spansPerRequest: 500, distinctNames: 10_000, serviceName: 'patient-search' }),
    startSpanFloodProcess({ url: bounded.collector.otlpHttpUrl, spansPerSecond, spansPerRequest: 500, distinctNames: 20, serviceName: 'patient-search' }),
  ]);
  await sleep(FLOOD_MS);
  offered = (await Promise.all(floods.map((flood) => flood.stop())))[0]!;
  // The connector flushes every second here; wait until every accepted span is counted.
  const counted = () => named.api.latestSeries('metric.type="prometheus.googleapis.com/traces.span.metrics.calls/counter"').reduce((n, p) => n + p.value, 0);
  for (let i = 0; i < 40 && counted() < offered.spansAccepted; i++) await sleep(250);
  await sleep(1_000);
  runMs = Date.now() - Math.min(named.startedAtMs, bounded.startedAtMs);
}, 90_000);
afterAll(async () => {
  await Promise.all([named?.stop(), bounded?.stop()]);
});

test('10,000 span names from one service: span-metrics-overflow fires and names the service; 20 names stay quiet', () => {
  const verdict = expectFiresOnlyOnFault('span-metrics-overflow.json', named, bounded, runMs);
  expect(verdict.conditions[0]!.peak).toBeGreaterThan(0);
  const calls = named.api.latestSeries('metric.type="prometheus.googleapis.com/traces.span.metrics.calls/counter" resource.type="prometheus_target"');
  const overflow = calls.filter((p) => p.metric.labels['otel.metric.overflow'] === 'true');
  const counted = calls.reduce((n, p) => n + p.value, 0);
  console.info(`[overflow] ${calls.length} calls series (${overflow.length} overflow, job ${overflow[0]?.resource.labels.job}, ${overflow[0]?.value} calls in it); ${counted} calls counted of ${offered.spansAccepted} spans accepted`);
  expect(overflow.map((p) => p.resource.labels.job)).toEqual(['patient-search']);
  expect(calls.length).toBe(2_000 + 1);
  // Counted, not attributed: every span is in some series.
  expect(counted).toBe(offered.spansAccepted);
});

test("the collector's own series are bounded by its configuration: no label takes a value from the traffic", () => {
  const selfPoints = (run: SelfMonitoredCollector) => run.points().filter((p) => p.metric.type.startsWith('prometheus.googleapis.com/otelcol_'));
  const series = (run: SelfMonitoredCollector) => new Set(selfPoints(run).map((p) => JSON.stringify([p.metric.type, p.metric.labels])));
  const [withNames, withoutNames] = [series(named), series(bounded)];
  const only = [...withNames].filter((k) => !withoutNames.has(k)).concat([...withoutNames].filter((k) => !withNames.has(k)));
  console.info(`[overflow] self-metric series: ${withNames.size} with 10,000 names, ${withoutNames.size} with 20; in one only: ${only.join(' ')}`);
  const values = selfPoints(named).flatMap((p) => Object.values(p.metric.labels));
  expect(values.filter((value) => /^op-\d+$|patient-search/.test(value))).toEqual([]);
  // Which series exist depends on what happened (a batch sent by size, a failure), not on names.
  expect(withNames.size).toBeLessThan(100);
  expect(only.length).toBeLessThanOrEqual(2);
});
