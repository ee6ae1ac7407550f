// The health section `pnpm demo --collector` ends with, read from what the
// collector exported about itself, equals what happened: the BFF and the Node
// backend send a known mix through one collector (as deployed, self-telemetry
// on); the spans it says it received are the spans the services produced, the
// traces it says it kept and dropped are the ones its policies select, the
// spans it says it exported are the kept traces' spans Google stored, and no
// alert fires on a healthy run.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { collectorHealth, formatCollectorHealth, type CollectorHealth } from '../src/collector-health.js';
import { byTrace, startTracedStack, type TracedStack } from '../src/index.js';
import { startSelfMonitoredCollector, type SelfMonitoredCollector } from '../src/self-monitored.js';
import { postQuery } from './graphql.js';
import { sleep } from './selfmon.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
let run: SelfMonitoredCollector;
let stack: TracedStack;
const sent: Array<{ traceId: string; kept: boolean }> = [];
let health: CollectorHealth;

beforeAll(async () => {
  run = await startSelfMonitoredCollector({ decisionWait: '1s', sampledTenants: ['hospital_a'] });
  stack = await startTracedStack({ collectorUrl: run.collector.otlpHttpUrl, kotlin: false });
  const mix: Array<[patient: string, token: string, kept: boolean, count: number]> = [
    ['p-1', 'token-hospital-b', false, 12],
    ['p-fail', 'token-hospital-b', true, 3], // errors policy
    ['p-2', 'token-hospital-a', true, 4], // allow-listed tenant
  ];
  for (const [patient, token, kept, count] of mix) {
    for (let i = 0; i < count; i++) {
      const traceId = crypto.getRandomValues(new Uint8Array(16)).reduce((hex, b) => hex + b.toString(16).padStart(2, '0'), '');
      await postQuery(stack.bffViaNode.url, patient, token, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
      sent.push({ traceId, kept });
    }
  }
  await stack.flush();
  // Decided after 1 s; the self-metrics of the decisions and the export follow within a second or two.
  const produced = stack.produced().length;
  const deadline = Date.now() + 20_000;
  do {
    await sleep(500);
    health = collectorHealth(run.points(), { fromMs: run.startedAtMs, timeScale: run.timeScale });
  } while ((health.spansReceived < produced || health.tracesKept + health.tracesDropped < sent.length || health.spansExported < run.api.spans.length) && Date.now() < deadline);
  await sleep(1_500);
  health = collectorHealth(run.points(), { fromMs: run.startedAtMs, timeScale: run.timeScale });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await run?.stop();
});

test("the collector's own account matches what the services sent and what Google stored; no alert fires", () => {
  for (const line of formatCollectorHealth(health)) console.info(line);
  const produced = byTrace(stack.produced());
  const keptIds = sent.filter((s) => s.kept).map((s) => s.traceId);
  const keptSpans = keptIds.reduce((n, id) => n + (produced.get(id)?.length ?? 0), 0);
  expect(health).toEqual({
    spansReceived: stack.produced().length,
    spansRefused: 0,
    tracesKept: keptIds.length,
    tracesDropped: sent.length - keptIds.length,
    tracesDroppedTooEarly: 0,
    lateSpans: 0,
    spansExported: keptSpans,
    spansFailedToExport: 0,
    instances: 1,
    firing: [],
  });
  expect(run.api.spans.length).toBe(keptSpans);
  expect(formatCollectorHealth(health).at(-1)).toBe('  alerts that would fire (collector/alerts): none');
});
