// A rollout while spans flow (issue 22, item 6): the BFF and the Node backend
// export through one service URL (a loopback router standing in for Cloud
// Run's routing) to the old revision's collector; a new revision starts, takes
// every new request once ready, and the old one gets SIGTERM, as Cloud Run does.
// Every trace is allow-listed (kept), so what reached Google is what survived:
// whole on the old instance, whole on the new, split between them, or lost.
// The self-metrics of both instances show the hand-over.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { byTrace, startTracedStack, type TracedStack } from '../src/index.js';
import { startRevisionRouter, type RevisionRouter } from '../src/revision-router.js';
import { startSelfMonitoredCollector, type SelfMonitoredCollector } from '../src/self-monitored.js';
import { runPaced, type PacedResult } from './paced-load.js';
import { sleep } from './selfmon.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const DECISION_WAIT_MS = 5_000;
const BEFORE_MS = 8_000;
const AFTER_MS = 8_000;
const RATE = 20;

let oldRevision: SelfMonitoredCollector;
let newRevision: SelfMonitoredCollector;
let router: RevisionRouter;
let stack: TracedStack;
let load: PacedResult;
const timing = {} as { newStartMs: number; switchAt: number; stopMs: number; stoppedAt: number };

const start = () => startSelfMonitoredCollector({ decisionWait: `${DECISION_WAIT_MS}ms`, sampledTenants: ['hospital_a'] });

beforeAll(async () => {
  oldRevision = await start();
  router = await startRevisionRouter(oldRevision.collector.otlpHttpUrl);
  // The services' recommended export settings: 1 s batch delay, bounded queue (README).
  stack = await startTracedStack({ collectorUrl: router.url, kotlin: false, batchDelayMs: 1_000 });
  const running = runPaced(stack.bffViaNode.url, { rate: RATE, durationMs: BEFORE_MS + AFTER_MS, token: 'token-hospital-a' });
  await sleep(BEFORE_MS);
  const began = Date.now();
  newRevision = await start(); // ready: its health check answers
  timing.newStartMs = Date.now() - began;
  router.route(newRevision.collector.otlpHttpUrl);
  timing.switchAt = Date.now();
  await oldRevision.collector.process.stop(); // SIGTERM, and wait for the exit
  timing.stoppedAt = Date.now();
  timing.stopMs = timing.stoppedAt - timing.switchAt;
  load = await running;
  await stack.flush();
  await sleep(DECISION_WAIT_MS + 3_000);
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  await router?.close();
  await Promise.all([oldRevision?.stop(), newRevision?.stop()]);
});

test('the old revision drains on SIGTERM while the new one takes over: every trace arrives (whole on one revision, or in two halves), none lost', () => {
  const produced = byTrace(stack.produced());
  const onOld = new Map<string, number>();
  const onNew = new Map<string, number>();
  for (const span of oldRevision.api.spans) onOld.set(span.traceId, (onOld.get(span.traceId) ?? 0) + 1);
  for (const span of newRevision.api.spans) onNew.set(span.traceId, (onNew.get(span.traceId) ?? 0) + 1);
  const outcome = { wholeOnOld: 0, wholeOnNew: 0, split: 0, partlyLost: 0, lost: 0 };
  let spansLost = 0;
  for (const [traceId, spans] of produced) {
    const [a, b] = [onOld.get(traceId) ?? 0, onNew.get(traceId) ?? 0];
    spansLost += spans.length - a - b;
    if (a + b === 0) outcome.lost++;
    else if (a + b < spans.length) outcome.partlyLost++;
    else if (a > 0 && b > 0) outcome.split++;
    else if (a > 0) outcome.wholeOnOld++;
    else outcome.wholeOnNew++;
  }
  const answers = router.log.reduce<Record<string, number>>((counts, e) => ({ ...counts, [`${e.revision === new URL(oldRevision.collector.otlpHttpUrl).origin ? 'old' : 'new'} ${e.status}`]: (counts[`${e.revision === new URL(oldRevision.collector.otlpHttpUrl).origin ? 'old' : 'new'} ${e.status}`] ?? 0) + 1 }), {});
  console.info(
    `[rollout] ${produced.size} traces, ${load.latencies.length} requests (${load.failures.length} failed); new revision ready in ${timing.newStartMs} ms; ` +
      `old revision exited ${timing.stopMs} ms after SIGTERM; traces: ${JSON.stringify(outcome)}, spans lost ${spansLost}; exports by revision: ${JSON.stringify(answers)}`,
  );
  expect(load.failures).toEqual([]);
  expect(outcome.lost + outcome.partlyLost).toBe(0);
  expect(outcome.wholeOnOld).toBeGreaterThan(0);
  expect(outcome.wholeOnNew).toBeGreaterThan(0);
});

test('what the self-metrics show: both instances accepting around the switch, the old one stopping, its last interval never exported', () => {
  const accepted = (run: SelfMonitoredCollector) =>
    run
      .points()
      .filter((p) => p.metric.type === 'prometheus.googleapis.com/otelcol_receiver_accepted_spans/counter' && p.metric.labels.receiver === 'otlp')
      .map((p) => ({ atMs: Number(BigInt(p.timeUnixNano) / 1_000_000n), value: p.value }));
  const [oldSeries, newSeries] = [accepted(oldRevision), accepted(newRevision)];
  const lastOld = oldSeries.at(-1)!;
  // The instance label of the collector's own series (the span metrics carry the connector's own ID).
  const instances = (run: SelfMonitoredCollector) => new Set(run.points().filter((p) => p.metric.type.includes('/otelcol_')).map((p) => p.resource.labels.instance));
  const [oldInstances, newInstances] = [instances(oldRevision), instances(newRevision)];
  const spansOnOld = oldRevision.api.spans.length; // every trace is kept: what it received, it exported
  const onMemory = oldRevision.points().filter((p) => p.metric.type.endsWith('/otelcol_processor_tail_sampling_sampling_traces_on_memory/gauge')).at(-1);
  console.info(
    `[rollout self-metrics] old instance ${[...oldInstances].join()} accepted ${lastOld.value} spans by its last point, ${timing.switchAt - lastOld.atMs} ms before the switch, of the ${spansOnOld} it received and exported ` +
      `(traces on memory then: ${onMemory?.value}); new instance ${[...newInstances].join()} first point ${newSeries[0]!.atMs - timing.switchAt} ms after the switch, ${newSeries.at(-1)!.value} spans accepted by the end`,
  );
  // Two instance labels: the new revision is a new series, not a continuation.
  expect(oldInstances.size).toBe(1);
  expect(newInstances.size).toBe(1);
  expect([...oldInstances][0]).not.toBe([...newInstances][0]);
  // The old instance's last point was measured before it stopped; what it accepted while
  // draining is not in any exported point (open-telemetry/opentelemetry-collector#12944).
  expect(lastOld.atMs).toBeLessThanOrEqual(timing.stoppedAt);
  expect(lastOld.value).toBeLessThanOrEqual(spansOnOld);
  expect(newSeries.at(-1)!.value).toBeGreaterThan(0);
});
