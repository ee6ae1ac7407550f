// The timing trap, with the deployable config's decision cache: the Node
// backend exports 6 s after its spans end (a long batch delay), long after the
// collector decided on each trace (decision_wait 1 s, from the BFF's spans).
// Late spans of a kept trace are still written, so kept traces stay whole; late
// spans of a dropped trace are still dropped, so no fragment leaks out.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { byTrace, readSpanFile, spanKeys, startSingleTier, startTracedStack, type LoopbackCollector, type TracedStack } from '../src/index.js';
import { postQuery } from './graphql.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const NODE_DELAY_MS = 6_000;
let collector: LoopbackCollector;
let stack: TracedStack;

beforeAll(async () => {
  collector = await startSingleTier({ decisionWait: '1s', slowThresholdMs: 60_000 });
  stack = await startTracedStack({
    collectorUrl: collector.otlpHttpUrl,
    kotlin: false,
    headers: { authorization: `Bearer ${collector.token()}` },
    batchDelays: { bff: 100, 'node-backend': NODE_DELAY_MS },
  });
});
afterAll(async () => {
  await stack?.stop();
  await collector?.stop();
});

test('spans arriving after the decision: kept traces stay whole, dropped traces stay dropped', async () => {
  const sent: { traceId: string; keep: boolean }[] = [];
  for (let i = 0; i < 6; i++) {
    const keep = i % 2 === 0;
    const traceId = crypto.getRandomValues(new Uint8Array(16)).reduce((hex, b) => hex + b.toString(16).padStart(2, '0'), '');
    const response = await postQuery(stack.bffViaNode.url, keep ? 'p-a' : 'p-b', keep ? 'token-hospital-a' : 'token-hospital-b', {
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    expect(response.status).toBe(200);
    sent.push({ traceId, keep });
  }
  // Decided from the BFF's spans alone: kept ones are written before the Node backend exports.
  // (decision_wait 1 s, the decision tick 1 s, the batch processor up to 1 s, the file flush)
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  const early = byTrace(await readSpanFile(collector.tracesFile));
  const earlyServices = sent.filter((s) => s.keep).flatMap((s) => (early.get(s.traceId) ?? []).map((span) => span.serviceName));
  // The Node backend's timer fires; then the collector has its late spans.
  await new Promise((resolve) => setTimeout(resolve, NODE_DELAY_MS + 1_000));
  const produced = byTrace(stack.produced());
  const kept = byTrace(await readSpanFile(collector.tracesFile));
  console.info(
    `[late spans] decided before the Node backend exported: ${sent.filter((s) => early.has(s.traceId)).length} traces, ` +
      `services then: ${JSON.stringify([...new Set(earlyServices)])}; at the end: ${kept.size} traces kept`,
  );
  expect(new Set(earlyServices)).toEqual(new Set(['bff']));
  for (const s of sent) {
    if (s.keep) expect(spanKeys(kept.get(s.traceId) ?? [])).toEqual(spanKeys(produced.get(s.traceId) ?? []));
    else expect(kept.has(s.traceId)).toBe(false);
  }
  expect(new Set(kept.keys())).toEqual(new Set(sent.filter((s) => s.keep).map((s) => s.traceId)));
}, 30_000);
