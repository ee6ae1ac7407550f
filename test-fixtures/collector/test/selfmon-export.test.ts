// Google failing, seen by the collector's own metrics. Collectors as deployed
// (sampling + cloud-run + self-telemetry) export kept traces, span metrics and
// their self-metrics to the loopback Telemetry API through a proxy that makes
// Google fail; a healthy twin runs the same traffic for the same time. The
// policies in collector/alerts are evaluated on what each exported:
// - /v1/traces answers 503, then hangs, then refuses for good (403):
//   export-failing fires (a request stuck in retry, then spans dropped);
// - the whole API hangs: nothing of the collector's arrives any more, and
//   self-metrics-absent fires;
// - with a queue of 10 batches (test/small-export-queue.yaml), /v1/traces hangs:
//   export-queue-near-full fires, then export-failing's "queue full" condition.
// Time runs 30x faster than policy time (alert-evaluate.ts): 1 s here is 30 s of
// the policies' windows and durations, and the collector exports every second.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { evaluatePolicy } from '../src/alert-evaluate.js';
import { startSelfMonitoredCollector, type SelfMonitoredCollector } from '../src/self-monitored.js';
import { startSpanFlood, type SpanFlood } from '../src/span-flood.js';
import { evaluateRun, expectFiresOnlyOnFault, policies, sleep } from './selfmon.js';

const WARM_MS = 6_000;
// The 403 phase outlasts the exporter's 10 s timeout: the batches hung in the phase before have failed and
// come back for their retry by then, however slowly a loaded machine runs (with 6 s CI once saw no drop yet).
const PHASE_MS = { '503': 5_000, hang: 12_000, '403': 12_000 };
const RUN_MS = WARM_MS + PHASE_MS['503'] + PHASE_MS.hang + PHASE_MS['403'];
const runs: Record<'healthy' | 'traces' | 'apiDown' | 'smallHealthy' | 'smallHang', SelfMonitoredCollector> = {} as never;
const floods: SpanFlood[] = [];
let phaseAt: Record<string, number>;

beforeAll(async () => {
  const start = (overlays: string[] = []) => startSelfMonitoredCollector({ faultProxy: true, decisionWait: '1s', sampledTenants: ['hospital_a'], overlays });
  [runs.healthy, runs.traces, runs.apiDown, runs.smallHealthy, runs.smallHang] = await Promise.all([
    start(),
    start(),
    start(),
    start(['test/small-export-queue.yaml']),
    start(['test/small-export-queue.yaml']),
  ]);
  // Every trace is kept (hospital_a is allow-listed): the exporter sends a batch every second.
  for (const run of Object.values(runs)) {
    floods.push(startSpanFlood({ url: run.collector.otlpHttpUrl, spansPerSecond: 100, spansPerRequest: 20, spansPerTrace: 4, attributes: { 'tenant.id': 'hospital_a' } }));
  }
  await sleep(WARM_MS);
  phaseAt = { '503': Date.now() };
  runs.traces.proxy!.set('503', ['/v1/traces']);
  runs.apiDown.proxy!.set('hang');
  runs.smallHang.proxy!.set('hang', ['/v1/traces']);
  await sleep(PHASE_MS['503']);
  phaseAt.hang = Date.now();
  runs.traces.proxy!.set('hang', ['/v1/traces']);
  await sleep(PHASE_MS.hang);
  phaseAt['403'] = Date.now();
  runs.traces.proxy!.set('403', ['/v1/traces']);
  await sleep(PHASE_MS['403'] + 1_500); // the last second's points on their way
  await Promise.all(floods.map((flood) => flood.stop()));
}, 90_000);
afterAll(async () => {
  await Promise.all(Object.values(runs).map((run) => run?.stop()));
});

const latest = (run: SelfMonitoredCollector, type: string, labels: Record<string, string>) =>
  run.points().filter((p) => p.metric.type === `prometheus.googleapis.com/${type}` && Object.entries(labels).every(([k, v]) => p.metric.labels[k] === v));

test('Google answering 503, then hanging, then refusing for good: export-failing fires (stuck in retry, then dropped); quiet on the healthy twin', () => {
  const verdict = expectFiresOnlyOnFault('export-failing.json', runs.traces, runs.healthy, RUN_MS);
  const [stuck, dropped] = verdict.conditions;
  // Stuck: an export in flight for the whole window, from the 503s on (5 min of policy time = 10 s here).
  expect(stuck!.firedAtMs).toBeGreaterThan(phaseAt['503']!);
  expect(stuck!.firedAtMs).toBeLessThan(phaseAt['403']!);
  // Dropped: 403 is not retried; the batches already retrying fail at once.
  expect(dropped!.firedAtMs).toBeGreaterThan(phaseAt['403']!);
  // What the collector said meanwhile: kept spans stopped leaving at the 503s.
  const sent = latest(runs.traces, 'otelcol_exporter_sent_spans/counter', { exporter: 'otlp_http/google' });
  const sentAfter503 = sent.filter((p) => Number(BigInt(p.timeUnixNano) / 1_000_000n) > phaseAt['503']! + 1_000).map((p) => p.value);
  expect(new Set(sentAfter503).size).toBe(1);
  const failed = latest(runs.traces, 'otelcol_exporter_send_failed_spans/counter', { exporter: 'otlp_http/google' }).at(-1);
  console.info(`[export 503/hang/403] kept spans sent before the 503s: ${sentAfter503[0]}; dropped after the 403s: ${failed?.value}; proxy saw ${runs.traces.proxy!.log.filter((l) => l.path === '/v1/traces' && !l.outcome.startsWith('pass')).length} failed /v1/traces requests`);
  expect(failed?.value).toBeGreaterThan(0);
});

test('the whole Telemetry API hanging: the self-metrics stop arriving and self-metrics-absent fires; quiet on the healthy twin', () => {
  const onFault = evaluateRun('self-metrics-absent.json', runs.apiDown, RUN_MS);
  const onHealthy = evaluateRun('self-metrics-absent.json', runs.healthy, RUN_MS);
  console.info(`[export api down] absent fired ${onFault.firedAtMs === undefined ? 'never' : `${((onFault.firedAtMs - phaseAt['503']!) / 1000).toFixed(1)} s after the API hung`}; healthy ${onHealthy.fired}`);
  expect(onFault.fired).toBe(true);
  expect(onHealthy.fired).toBe(false);
  // 5 min of absence = 10 s here, counted from the last point that arrived.
  expect(onFault.firedAtMs! - phaseAt['503']!).toBeGreaterThanOrEqual(9_000);
  // The policy's "threshold" is its duration: an outage shorter than it stays quiet.
  const policy = policies.get('self-metrics-absent.json')!;
  const longer = { ...policy, conditions: policy.conditions.map((c) => ({ ...c, conditionAbsent: { ...c.conditionAbsent!, duration: '1800s' } })) };
  expect(evaluatePolicy(longer, runs.apiDown.points(), { timeScale: 30, fromMs: runs.apiDown.startedAtMs, toMs: runs.apiDown.startedAtMs + RUN_MS }).fired).toBe(false);
  // And the other alerts could not have fired: their data never came.
  expect(evaluateRun('export-failing.json', runs.apiDown, RUN_MS).fired).toBe(false);
});

test('a queue of 10 batches and /v1/traces hanging: export-queue-near-full fires, then the full queue drops spans; quiet on the healthy twin', () => {
  expectFiresOnlyOnFault('export-queue-near-full.json', runs.smallHang, runs.smallHealthy, RUN_MS);
  const verdict = expectFiresOnlyOnFault('export-failing.json', runs.smallHang, runs.smallHealthy, RUN_MS);
  expect(verdict.conditions[2]!.firedAtMs, 'spans dropped because the export queue was full').toBeDefined();
  const capacity = latest(runs.smallHang, 'otelcol_exporter_queue_capacity/gauge', { data_type: 'traces' }).at(-1)?.value;
  expect(capacity).toBe(10);
});
