// The collector killed mid-run (SIGKILL: a crash, an eviction) and restarted
// on the same port, while the BFF and the Node backend keep taking requests
// and exporting to it with the recommended bounded settings, through the Cloud
// Run front end (loopback fake: IAM check of their ID token; it answers 503
// while the container is gone). Requests all
// succeed at their usual latency, the services' memory stays bounded (spans
// beyond the queue are dropped), spans flow again after the restart, and the
// spans lost on the way are counted (the README quotes these numbers).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { context, diag, DiagLogLevel } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createServiceTelemetry, startBff, startNodeBackend, type Bff, type NodeBackend, type ServiceTelemetry } from '@tracehop/fixture-bff';
import { startCloudRunFrontEnd, type CloudRunFrontEnd } from '@tracehop/fixture-gcp-fakes';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { byTrace, readSpanFile, startSingleTier, startTracedStack, type LoopbackCollector, type TracedStack } from '../src/index.js';
import { percentile, runLoad } from './load.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
// The batch processor says through diag when its queue is full and spans are dropped
// (a test may register globals; the packages never do).
const dropped = { overflows: 0 };
const quiet = () => undefined;
diag.setLogger(
  { debug: (message: string) => void (message.includes('maxQueueSize reached') && dropped.overflows++), warn: quiet, error: quiet, info: quiet, verbose: quiet },
  DiagLogLevel.DEBUG,
);

const SPANS_PER_REQUEST = 3; // BFF operation + BFF gRPC client + Node backend server
const QUEUE = 256;
const OUTAGE_MS = 8_000;
const CONCURRENCY = 8;
let collector: LoopbackCollector;
let frontEnd: CloudRunFrontEnd;
let stack: TracedStack;
let plain: { bff: Bff; backend: NodeBackend; telemetry: ServiceTelemetry[] };
let phase: 'before' | 'outage' | 'after' = 'before';
const produced = { before: 0, outage: 0, after: 0 };

beforeAll(async () => {
  // Every trace is kept (hospital_a is allow-listed), so what the sink lacks was lost.
  collector = await startSingleTier({ decisionWait: '1s' });
  const invoker = 'exporter@tracehop-test.iam.gserviceaccount.com';
  frontEnd = await startCloudRunFrontEnd({ issuer: collector.issuer, containerPort: Number(new URL(collector.otlpHttpUrl).port), invokers: [invoker] });
  const now = Math.floor(Date.now() / 1000);
  const token = collector.issuer.sign({ aud: frontEnd.serviceUrls.deterministic, email: invoker, sub: invoker, iat: now, exp: now + 3600 });
  stack = await startTracedStack({
    collectorUrl: frontEnd.url,
    kotlin: false,
    headers: { authorization: `Bearer ${token}` },
    retainSpans: false,
    maxQueueSize: QUEUE,
    onSpan: () => void produced[phase]++,
  });
  const telemetry = [createServiceTelemetry('bff', { retain: false }), createServiceTelemetry('node-backend', { retain: false })] as const;
  const backend = await startNodeBackend(telemetry[1]);
  plain = { bff: await startBff({ telemetry: telemetry[0], backendAddress: backend.address }), backend, telemetry: [...telemetry] };
  for (const target of [stack.bffViaNode.url, plain.bff.url]) await runLoad(target, { concurrency: CONCURRENCY, count: 200, token: 'token-hospital-a' }); // warm-up
  await stack.flush();
}, 60_000);
afterAll(async () => {
  await plain?.bff.stop();
  await plain?.backend.stop();
  await stack?.stop();
  await frontEnd?.close();
  await collector?.stop();
});

function heapAfterGc(): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

test('kill -9 mid-run and restart: every request succeeds at its usual latency, memory stays bounded, spans flow again', async () => {
  const url = stack.bffViaNode.url;
  const token = 'token-hospital-a';
  const warmupSpans = (await readSpanFile(collector.tracesFile)).length;
  produced.before = 0;

  const before = await runLoad(url, { concurrency: CONCURRENCY, count: 400, token });
  // Killed mid-run: the last spans are in the services' queues or the collector's decision buffer.
  await collector.process.kill();
  phase = 'outage';
  // Latency: rounds interleaved with an identical stack that exports nothing, so both see
  // the same machine (other jobs share these cores). Heap: compared from after the first
  // two rounds (queue full, failure paths and both stacks' caches warm) to the end.
  const outage: { latencies: number[]; traceIds: string[]; failures: string[] } = { latencies: [], traceIds: [], failures: [] };
  const exporterOff: number[] = [];
  let heapAtKill = 0;
  const ROUNDS = 8;
  for (let round = 0; round < ROUNDS; round++) {
    if (round === 2) {
      heapAtKill = heapAfterGc();
      dropped.overflows = 0;
    }
    const on = await runLoad(url, { concurrency: CONCURRENCY, untilMs: OUTAGE_MS / ROUNDS, token });
    outage.latencies.push(...on.latencies);
    outage.traceIds.push(...on.traceIds);
    outage.failures.push(...on.failures);
    exporterOff.push(...(await runLoad(plain.bff.url, { concurrency: CONCURRENCY, count: on.latencies.length, token })).latencies);
  }
  const heapAtEnd = heapAfterGc();

  const restartStarted = performance.now();
  await collector.process.restart();
  const restartMs = performance.now() - restartStarted;
  // The services' queues are full of outage spans and their exporters may be in a retry
  // backoff: spans finished in the next seconds may still overflow. Probe until one arrives.
  const probes: string[] = [];
  let resumedMs = 0;
  while (resumedMs === 0) {
    expect(performance.now() - restartStarted, 'no span reached the restarted collector').toBeLessThan(20_000);
    probes.push(...(await runLoad(url, { concurrency: 1, count: 1, token })).traceIds);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sink = byTrace(await readSpanFile(collector.tracesFile));
    if (probes.some((id) => sink.has(id))) resumedMs = performance.now() - restartStarted;
  }
  phase = 'after';
  const after = await runLoad(url, { concurrency: CONCURRENCY, count: 200, token });
  expect(await stack.flush()).toEqual([]);

  // Spans flow again: every trace started after the restart arrives whole.
  const deadline = Date.now() + 15_000;
  let kept = byTrace(await readSpanFile(collector.tracesFile));
  while (!after.traceIds.every((id) => kept.get(id)?.length === SPANS_PER_REQUEST) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    kept = byTrace(await readSpanFile(collector.tracesFile));
  }
  const arrived = (ids: string[]) => ids.reduce((n, id) => n + (kept.get(id)?.length ?? 0), 0);
  const lost = {
    before: produced.before - arrived(before.traceIds),
    outage: produced.outage - arrived(outage.traceIds),
    after: produced.after - arrived(after.traceIds),
  };
  const p = (xs: number[]) => `p50 ${percentile(xs, 0.5).toFixed(1)} ms, p99 ${percentile(xs, 0.99).toFixed(1)} ms`;
  console.info(
    `[collector killed] before: ${before.latencies.length} requests (${p(before.latencies)}), ${produced.before} spans, lost ${lost.before}; ` +
      `outage ${OUTAGE_MS} ms: ${outage.latencies.length} requests (${p(outage.latencies)}; exporter-off stack interleaved: ${p(exporterOff)}), ${produced.outage} spans, lost ${lost.outage}; ` +
      `restart ready in ${restartMs.toFixed(0)} ms, first new span stored ${resumedMs.toFixed(0)} ms after the restart began; after: ${after.latencies.length} requests (${p(after.latencies)}), ${produced.after} spans, lost ${lost.after}; ` +
      `heap ${(heapAtKill / 2 ** 20).toFixed(1)} -> ${(heapAtEnd / 2 ** 20).toFixed(1)} MiB, queue overflows reported ${dropped.overflows}; collector RSS after restart ${((await collector.process.rssBytes()) / 2 ** 20).toFixed(0)} MiB; warm-up spans ${warmupSpans}`,
  );

  // Requests were unaffected.
  expect([...before.failures, ...outage.failures, ...after.failures]).toEqual([]);
  expect(outage.latencies.length).toBeGreaterThan(200);
  expect(percentile(outage.latencies, 0.5)).toBeLessThanOrEqual(2 * percentile(exporterOff, 0.5) + 5);
  // Memory bounded: the queue holds at most QUEUE spans; the rest were dropped, not buffered.
  expect(produced.outage).toBeGreaterThan(2 * QUEUE);
  expect(dropped.overflows).toBeGreaterThan(0);
  // The heap holds the queue (256 spans), batches in flight, this test's own records and
  // caches still warming (measured +2.4 to +5.5 MiB; a 24 s probe flattened after ~10,000
  // spans). A queue without a bound would also hold every outage span, ~1.1 KiB each:
  // 3,000 to 18,000 of them here. The deterministic proof is the overflow report.
  expect(heapAtEnd - heapAtKill).toBeLessThan(8 * 2 ** 20);
  // Spans flow again, whole.
  expect(lost.after).toBe(0);
  // The outage lost spans (there was nowhere to send them), at most what was produced.
  expect(lost.outage).toBeGreaterThan(0);
  expect(lost.outage).toBeLessThanOrEqual(produced.outage);
}, 55_000);

test('SIGTERM (a Cloud Run scale-in or deploy) while traces wait for their decision: the collector decides them before it exits', async () => {
  // Its own collector with a decision_wait far longer than the test: nothing is decided by time.
  const patient = await startSingleTier({ decisionWait: '60s' });
  const services = await startTracedStack({ collectorUrl: patient.otlpHttpUrl, kotlin: false, headers: { authorization: `Bearer ${patient.token()}` } });
  try {
    const sent = await runLoad(services.bffViaNode.url, { concurrency: CONCURRENCY, count: 100, token: 'token-hospital-a' });
    expect(sent.failures).toEqual([]);
    expect(await services.flush()).toEqual([]); // every span is in the collector now, undecided
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = byTrace(await readSpanFile(patient.tracesFile));
    const stopStarted = performance.now();
    await patient.process.stop();
    const stopMs = performance.now() - stopStarted;
    const kept = byTrace(await readSpanFile(patient.tracesFile));
    const whole = sent.traceIds.filter((id) => kept.get(id)?.length === SPANS_PER_REQUEST).length;
    console.info(
      `[collector SIGTERM] ${sent.traceIds.length} traces waiting (decision_wait 60 s); written before SIGTERM: ${before.size}; ` +
        `written whole by the time it exited: ${whole}; shutdown took ${stopMs.toFixed(0)} ms`,
    );
    expect(before.size).toBe(0);
    expect(whole).toBe(sent.traceIds.length);
  } finally {
    await services.stop();
    await patient.stop();
  }
}, 30_000);
