// The collector killed and restarted while the Kotlin backend (Java agent,
// OTLP/HTTP to the collector) serves: BFF -> Kotlin -> Node requests all
// succeed, and the agent's spans reach the collector again after the restart.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { byTrace, readSpanFile, startSingleTier, startTracedStack, type LoopbackCollector, type TracedStack } from '../src/index.js';
import { percentile, runLoad } from './load.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
let collector: LoopbackCollector;
let stack: TracedStack;

beforeAll(async () => {
  collector = await startSingleTier({ decisionWait: '1s' }); // hospital_a: every trace kept
  const token = collector.token();
  stack = await startTracedStack({
    collectorUrl: collector.otlpHttpUrl,
    headers: { authorization: `Bearer ${token}` },
    kotlinHeaders: { authorization: `Bearer ${token}` },
    retainSpans: false,
  });
  await runLoad(stack.bffViaKotlin!.url, { concurrency: 4, count: 100, token: 'token-hospital-a' }); // warm-up
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  await collector?.stop();
});

test('Java agent: requests unaffected while the collector is dead, its spans flow again after the restart', async () => {
  const url = stack.bffViaKotlin!.url;
  const token = 'token-hospital-a';
  const before = await runLoad(url, { concurrency: 4, untilMs: 2_000, token });
  await collector.process.kill();
  const outage = await runLoad(url, { concurrency: 4, untilMs: 6_000, token });
  const restartStarted = performance.now();
  await collector.process.restart();

  // Probe until a trace started after the restart has its Kotlin spans in the sink.
  const probes: string[] = [];
  let resumedMs = 0;
  while (resumedMs === 0) {
    expect(performance.now() - restartStarted, 'no Kotlin span reached the restarted collector').toBeLessThan(25_000);
    probes.push(...(await runLoad(url, { concurrency: 1, count: 1, token })).traceIds);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const sink = byTrace(await readSpanFile(collector.tracesFile));
    if (probes.some((id) => sink.get(id)?.some((span) => span.serviceName === 'kotlin-backend'))) resumedMs = performance.now() - restartStarted;
  }
  const after = await runLoad(url, { concurrency: 4, count: 100, token });
  await stack.flush();
  const sink = byTrace(await readSpanFile(collector.tracesFile));
  const kotlinSpans = (ids: string[]) => ids.reduce((n, id) => n + (sink.get(id)?.filter((span) => span.serviceName === 'kotlin-backend').length ?? 0), 0);
  // Each request: Kotlin SERVER + CLIENT (to the Node backend) spans.
  const deadline = Date.now() + 10_000;
  while (kotlinSpans(after.traceIds) < 2 * after.traceIds.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const fresh = byTrace(await readSpanFile(collector.tracesFile));
    for (const [id, spans] of fresh) sink.set(id, spans);
  }
  const p50 = (xs: number[]) => percentile(xs, 0.5).toFixed(1);
  console.info(
    `[collector killed, Java agent] before: ${before.latencies.length} requests (p50 ${p50(before.latencies)} ms); ` +
      `outage 6 s: ${outage.latencies.length} requests (p50 ${p50(outage.latencies)} ms), Kotlin spans stored ${kotlinSpans(outage.traceIds)} of ${2 * outage.traceIds.length}; ` +
      `first new Kotlin span stored ${resumedMs.toFixed(0)} ms after the restart began; after: Kotlin spans stored ${kotlinSpans(after.traceIds)} of ${2 * after.traceIds.length}`,
  );
  expect([...before.failures, ...outage.failures, ...after.failures]).toEqual([]);
  // Against the slower of the up phases before and after (other test files share the cores).
  const reference = Math.max(percentile(before.latencies, 0.5), percentile(after.latencies, 0.5));
  expect(percentile(outage.latencies, 0.5)).toBeLessThanOrEqual(2 * reference + 10);
  expect(kotlinSpans(after.traceIds)).toBe(2 * after.traceIds.length);
}, 55_000);
