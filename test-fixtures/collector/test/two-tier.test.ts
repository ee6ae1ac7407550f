// The two-tier layout: tier 1 routes by trace ID (load_balancing exporter) to
// two sampling instances. Spans of one trace come from three processes (BFF,
// Node backend, Kotlin backend under the Java agent) in separate exports, yet
// every trace lands whole on exactly one sampling instance; both instances get
// a share, and each decides on whole traces like the single tier.
import { randomBytes } from 'node:crypto';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { byTrace, readSpanFile, spanKeys, startTracedStack, startTwoTier, type TracedStack, type TwoTier } from '../src/index.js';
import { postQuery } from './graphql.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const DECISION_WAIT_MS = 2_000;
let tiers: TwoTier;
let stack: TracedStack;

beforeAll(async () => {
  // No latency keeps here: a cold first call must not turn a dropped trace into a kept one.
  tiers = await startTwoTier({ decisionWait: `${DECISION_WAIT_MS}ms`, sampledTenants: ['hospital_a'], slowThresholdMs: 60_000 });
  const token = tiers.token();
  stack = await startTracedStack({ collectorUrl: tiers.otlpHttpUrl, headers: { authorization: `Bearer ${token}` }, kotlinHeaders: { authorization: `Bearer ${token}` } });
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  await tiers?.stop();
});

test('two sampling instances behind trace-ID load balancing never split a trace', async () => {
  const keptIds: string[] = [];
  const droppedIds: string[] = [];
  for (let i = 0; i < 40; i++) {
    const traceId = randomBytes(16).toString('hex');
    const bff = i % 2 === 0 ? stack.bffViaNode : stack.bffViaKotlin!;
    // hospital_a is allow-listed (kept whole somewhere); every fifth request is hospital_b (dropped).
    const tenantA = i % 5 !== 4;
    const response = await postQuery(bff.url, `p-${i}`, tenantA ? 'token-hospital-a' : 'token-hospital-b', {
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
    });
    expect(response.status).toBe(200);
    (tenantA ? keptIds : droppedIds).push(traceId);
  }
  const all = [...keptIds, ...droppedIds];
  const deadline = Date.now() + 15_000;
  while (!all.every((id) => stack.kotlin!.spans().some((span) => span.traceId === id)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(await stack.flush()).toEqual([]);
  await new Promise((resolve) => setTimeout(resolve, DECISION_WAIT_MS + 2_500));

  const produced = byTrace(stack.produced());
  const received = byTrace(await readSpanFile(tiers.receivedFile));
  const perInstance = await Promise.all(tiers.sampling.map(async (instance) => byTrace(await readSpanFile(instance.tracesFile))));
  console.info(
    `[two tiers] ${all.length} traces (${stack.produced().length} spans from 3 services); tier 1 received ${received.size} traces; ` +
      `kept per sampling instance: ${perInstance.map((kept) => kept.size).join(' + ')}`,
  );
  // Tier 1 saw everything the services produced.
  for (const id of all) expect(spanKeys(received.get(id) ?? [])).toEqual(spanKeys(produced.get(id) ?? []));
  for (const id of keptIds) {
    const holders = perInstance.filter((kept) => kept.has(id));
    expect(holders, `trace ${id} is on ${holders.length} instances`).toHaveLength(1);
    expect(spanKeys(holders[0]!.get(id)!)).toEqual(spanKeys(produced.get(id)!));
    expect(new Set(holders[0]!.get(id)!.map((span) => span.serviceName)).size).toBe(3);
  }
  for (const id of droppedIds) expect(perInstance.some((kept) => kept.has(id))).toBe(false);
  // Both instances took a share (routing by trace ID spreads traces).
  for (const kept of perInstance) expect(kept.size).toBeGreaterThan(0);
  expect(perInstance.reduce((n, kept) => n + kept.size, 0)).toBe(keptIds.length);
}, 55_000);
