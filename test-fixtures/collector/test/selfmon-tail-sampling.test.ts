// Tail sampling deciding traces without all their spans, seen by the
// collector's own metrics (issue 22, item 3):
// - late spans past decision_wait: the Node backend exports 6 s after its spans
//   end against a decision_wait of 1 s; its twin exports every 200 ms;
// - more new traces within decision_wait than num_traces holds: 5,000 new
//   traces per second for 25 s against the deployed decision_wait (30 s) and
//   num_traces (100,000); its twin gets 100 per second.
// traces-decided-without-spans and undecided-traces-near-num-traces fire on
// what each faulty collector exported and stay quiet on its twin.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { collectorDir, readServiceYaml, startTracedStack, type TracedStack } from '../src/index.js';
import { startSelfMonitoredCollector, type SelfMonitoredCollector } from '../src/self-monitored.js';
import { startSpanFloodProcess } from '../src/span-flood-process.js';
import type { SpanFloodResult } from '../src/span-flood.js';
import { runPaced } from './paced-load.js';
import { expectFiresOnlyOnFault, sleep } from './selfmon.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const LATE_LOAD_MS = 10_000;
const FLOOD_MS = 25_000;
const deployedDecisionWait = readServiceYaml(`${collectorDir}deploy/service.yaml`).env.DECISION_WAIT!;
const seconds = (duration: string) => Number(/^(\d+)s$/.exec(duration)?.[1] ?? NaN);

let late: SelfMonitoredCollector;
let punctual: SelfMonitoredCollector;
let crowded: SelfMonitoredCollector;
let calm: SelfMonitoredCollector;
const stacks: TracedStack[] = [];
let floods: { crowded: SpanFloodResult; calm: SpanFloodResult };
let tracesRunMs: number; // from the collectors' start to a few seconds after the flood
let lateRunMs: number; // from the collectors' start to the late spans' arrival and a little more

beforeAll(async () => {
  [late, punctual, crowded, calm] = await Promise.all([
    startSelfMonitoredCollector({ decisionWait: '1s' }),
    startSelfMonitoredCollector({ decisionWait: '1s' }),
    startSelfMonitoredCollector({ decisionWait: deployedDecisionWait }),
    startSelfMonitoredCollector({ decisionWait: deployedDecisionWait }),
  ]);
  stacks.push(
    await startTracedStack({ collectorUrl: late.collector.otlpHttpUrl, kotlin: false, retainSpans: false, batchDelays: { 'node-backend': 6_000 } }),
    await startTracedStack({ collectorUrl: punctual.collector.otlpHttpUrl, kotlin: false, retainSpans: false }),
  );
  const floodStarted = Date.now();
  const [crowdFlood, calmFlood] = await Promise.all([
    startSpanFloodProcess({ url: crowded.collector.otlpHttpUrl, spansPerSecond: 5_000, spansPerRequest: 500 }),
    startSpanFloodProcess({ url: calm.collector.otlpHttpUrl, spansPerSecond: 100, spansPerRequest: 20 }),
  ]);
  await Promise.all(stacks.map((stack) => runPaced(stack.bffViaNode.url, { rate: 10, durationMs: LATE_LOAD_MS, token: 'token-hospital-b' })));
  await sleep(7_000); // the late backend's last batch (6 s), then the points about it
  lateRunMs = Date.now() - late.startedAtMs;
  await sleep(Math.max(0, FLOOD_MS - (Date.now() - floodStarted)));
  floods = { crowded: await crowdFlood.stop(), calm: await calmFlood.stop() };
  // A trace evicted to make room is counted as dropped too early when its own
  // decision comes due, decision_wait after it arrived.
  await sleep(seconds(deployedDecisionWait) * 1000 + 3_000);
  tracesRunMs = Date.now() - crowded.startedAtMs;
}, 150_000);
afterAll(async () => {
  await Promise.all(stacks.map((stack) => stack.stop()));
  await Promise.all([late, punctual, crowded, calm].map((run) => run?.stop()));
});

test('late spans past decision_wait (a service exporting 6 s late, decision_wait 1 s): traces-decided-without-spans fires; quiet on its punctual twin', () => {
  const verdict = expectFiresOnlyOnFault('traces-decided-without-spans.json', late, punctual, lateRunMs);
  const [droppedEarly, lateSpans] = verdict.conditions;
  expect(lateSpans!.firedAtMs, 'late spans').toBeDefined();
  expect(droppedEarly!.firedAtMs, 'nothing was dropped early').toBeUndefined();
});

test('5,000 new traces per second within a 30 s decision_wait: undecided-traces-near-num-traces and traces dropped too early fire; quiet at 100 per second', () => {
  const offered = floods.crowded.spansOffered;
  console.info(`[num_traces] offered ${offered} single-span traces in ${(floods.crowded.elapsedMs / 1000).toFixed(1)} s, answers ${JSON.stringify(floods.crowded.statuses)}; twin ${floods.calm.spansOffered}`);
  expect(offered).toBeGreaterThan(100_000);
  expectFiresOnlyOnFault('undecided-traces-near-num-traces.json', crowded, calm, tracesRunMs);
  const verdict = expectFiresOnlyOnFault('traces-decided-without-spans.json', crowded, calm, tracesRunMs);
  expect(verdict.conditions[0]!.firedAtMs, 'dropped too early').toBeDefined();
});
