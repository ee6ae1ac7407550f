// Tail sampling in the single-tier Cloud Run configuration, fed by the BFF, the
// Node backend and the Kotlin backend (Java agent, OTLP/HTTP with an ID token),
// all exporting to one real collector. A trace is kept WHOLE when any span
// errs, when the request is slow, or when its tenant is allow-listed, and
// dropped otherwise; every kept trace has every span each service produced.
import { randomBytes } from 'node:crypto';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { OtlpSpan } from '@tracehop/fixture-kotlin-backend';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { byTrace, readLatestSeries, readSpanFile, spanKeys, startSingleTier, startTracedStack, type LoopbackCollector, type TracedStack } from '../src/index.js';
import { postQuery } from './graphql.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const DECISION_WAIT_MS = 2_000;
const SLOW_MS = 300;
let collector: LoopbackCollector;
let stack: TracedStack;

beforeAll(async () => {
  collector = await startSingleTier({ decisionWait: `${DECISION_WAIT_MS}ms`, slowThresholdMs: SLOW_MS, sampledTenants: ['hospital_a'] });
  const token = collector.token();
  stack = await startTracedStack({
    collectorUrl: collector.otlpHttpUrl,
    headers: { authorization: `Bearer ${token}` },
    kotlinHeaders: { authorization: `Bearer ${token}` },
    slowPatients: { 'p-slow': 500 },
  });
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  await collector?.stop();
});

type Why = 'error' | 'slow' | 'allow-listed tenant' | 'dropped' | 'borderline';
interface Sent {
  traceId: string;
  route: 'via node' | 'via kotlin';
  why: Why;
}

async function send(route: Sent['route'], patientId: string, token: string, why: Why): Promise<Sent> {
  const traceId = randomBytes(16).toString('hex');
  const bff = route === 'via node' ? stack.bffViaNode : stack.bffViaKotlin!;
  const response = await postQuery(bff.url, patientId, token, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
  expect(response.status).toBe(200);
  return { traceId, route, why };
}

test('error, slow and allow-listed-tenant traces are kept whole across BFF, Node and Kotlin; plain ones are dropped', async () => {
  const sent: Sent[] = [];
  // Warm-up (JIT, gRPC channels, the JVM's first calls): these can be slow for real, and
  // then the latency policy keeps them. Expectations below use each trace's measured duration.
  for (const route of ['via node', 'via kotlin'] as const) for (let i = 0; i < 3; i++) sent.push(await send(route, `p-w${i}`, 'token-hospital-b', 'dropped'));
  for (const route of ['via node', 'via kotlin'] as const) {
    for (let i = 0; i < 6; i++) sent.push(await send(route, `p-${i}`, 'token-hospital-b', 'dropped'));
    for (let i = 0; i < 2; i++) sent.push(await send(route, 'p-fail', 'token-hospital-b', 'error'));
    for (let i = 0; i < 2; i++) sent.push(await send(route, `p-a${i}`, 'token-hospital-a', 'allow-listed tenant'));
  }
  // The Node backend answers p-slow after 500 ms, then calls Kotlin: a slow trace through all three services.
  for (let i = 0; i < 2; i++) sent.push(await send('via node', 'p-slow', 'token-hospital-b', 'slow'));

  // Timing: every service must have exported before the collector decides. Wait for the
  // agent's spans of every trace that reached Kotlin, flush the Node services, then give
  // the collector decision_wait plus its tick and the file exporter's flush.
  const producedByTrace = () => byTrace(stack.produced());
  const throughKotlin = sent.filter((s) => !(s.route === 'via node' && s.why === 'error'));
  await waitUntil(() => {
    const seen = new Set(stack.kotlin!.spans().map((span) => span.traceId));
    return throughKotlin.every((s) => seen.has(s.traceId));
  }, 15_000);
  expect(await stack.flush()).toEqual([]);
  await new Promise((resolve) => setTimeout(resolve, DECISION_WAIT_MS + 2_500));

  const produced = producedByTrace();
  const kept = byTrace(await readSpanFile(collector.tracesFile));
  // A plain request that happened to take over the threshold is slow for real: it must be kept.
  // Within 50 ms of the threshold the services' clocks and the collector's arithmetic may
  // disagree: such a trace may go either way and is left out of the exact comparison.
  for (const s of sent) {
    const duration = durationMs(produced.get(s.traceId) ?? []);
    if (s.why === 'dropped' && duration >= SLOW_MS + 50) s.why = 'slow';
    else if (s.why === 'dropped' && duration >= SLOW_MS - 50) s.why = 'borderline';
  }
  const borderline = new Set(sent.filter((s) => s.why === 'borderline').map((s) => s.traceId));
  for (const s of sent.filter((x) => x.why === 'slow')) expect(durationMs(produced.get(s.traceId) ?? [])).toBeGreaterThanOrEqual(SLOW_MS);
  expect(sent.filter((s) => s.why === 'dropped').length).toBeGreaterThanOrEqual(12);
  const keptCounts: Record<string, number> = {};
  for (const s of sent) if (kept.has(s.traceId)) keptCounts[s.why] = (keptCounts[s.why] ?? 0) + 1;
  console.info(`[tail sampling] sent ${sent.length} traces (${stack.produced().length} spans); kept ${kept.size}: ${JSON.stringify(keptCounts)}`);
  // Exactly the traces a policy selects are kept, and nothing else reached the sink.
  const keptIds = [...kept.keys()].filter((id) => !borderline.has(id));
  expect(new Set(keptIds)).toEqual(new Set(sent.filter((s) => s.why !== 'dropped' && s.why !== 'borderline').map((s) => s.traceId)));

  for (const s of sent.filter((x) => x.why !== 'dropped' && x.why !== 'borderline')) {
    const expected: OtlpSpan[] = produced.get(s.traceId) ?? [];
    const got = kept.get(s.traceId) ?? [];
    // Whole: every span every service produced for the trace, each once.
    expect(spanKeys(got), `${s.why} ${s.route}`).toEqual(spanKeys(expected));
    const services = new Set(got.map((span) => span.serviceName));
    // A failing first backend answers before it calls the second one.
    const expectedServices =
      s.why !== 'error' ? ['bff', 'kotlin-backend', 'node-backend'] : s.route === 'via node' ? ['bff', 'node-backend'] : ['bff', 'kotlin-backend'];
    expect([...services].sort(), `${s.why} ${s.route}`).toEqual(expectedServices);
    if (s.why === 'error') expect(got.some((span) => span.status.code === 2)).toBe(true);
    if (s.why === 'allow-listed tenant') expect(got.every((span) => span.attributes['tenant.id'] === 'hospital_a')).toBe(true);
  }
}, 55_000);

/** A trace's duration as the latency policy measures it: first start to last end. */
function durationMs(spans: OtlpSpan[]): number {
  if (spans.length === 0) return 0;
  const starts = spans.map((span) => BigInt(span.startTimeUnixNano ?? '0'));
  const ends = spans.map((span) => BigInt(span.endTimeUnixNano ?? '0'));
  const min = starts.reduce((a, b) => (b < a ? b : a));
  const max = ends.reduce((a, b) => (b > a ? b : a));
  return Number(max - min) / 1e6;
}

async function waitUntil(ready: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('span metrics count every span, dropped traces included: calls per service, operation, tenant and status match what the services produced', async () => {
  // Runs after the sampling test on the same collector: most of those traces were dropped.
  const produced = stack.produced();
  const expected = new Map<string, number>();
  const seriesKey = (service: unknown, name: unknown, tenant: unknown, status: unknown) => `${String(service)} | ${String(name)} | ${String(tenant)} | ${String(status)}`;
  const STATUS = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];
  for (const span of produced) {
    const key = seriesKey(span.serviceName, span.name, span.attributes['tenant.id'] ?? 'none', STATUS[span.status.code]);
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  const keptSpans = (await readSpanFile(collector.tracesFile)).length;
  let actual = new Map<string, number>();
  const deadline = Date.now() + 10_000;
  do {
    await new Promise((resolve) => setTimeout(resolve, 500));
    actual = new Map();
    for (const series of await readLatestSeries(collector.metricsFile)) {
      if (!series.metric.endsWith('.calls')) continue;
      const a = series.attributes;
      const key = seriesKey(a['service.name'], a['span.name'], a['tenant.id'], a['status.code']);
      actual.set(key, (actual.get(key) ?? 0) + series.value);
    }
  } while (JSON.stringify([...actual].sort()) !== JSON.stringify([...expected].sort()) && Date.now() < deadline);
  console.info(`[span metrics] ${produced.length} spans produced, ${keptSpans} kept by tail sampling; calls counted ${[...actual.values()].reduce((a, b) => a + b, 0)} in ${actual.size} series`);
  expect(Object.fromEntries([...actual].sort())).toEqual(Object.fromEntries([...expected].sort()));
  expect(keptSpans).toBeLessThan(produced.length);
}, 20_000);
