// Series in the span-metrics pipeline stay bounded. Through the BFF a flood of
// distinct GraphQL operation names does not reach span names, and reaches the
// graphql.operation.name dimension only as `_OTHER` (the BFF lists its
// operations in `operationNames`; with the plugin's default, the first 100
// distinct names, this collector's limit of 20 would overflow instead). A service that names spans freely (any SDK app, no tracehop) hits
// the collector's hard ceiling, SPANMETRICS_CARDINALITY_LIMIT series per metric:
// the rest are folded into one overflow series, and no call goes uncounted.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readLatestSeries, startSingleTier, startTracedStack, type LoopbackCollector, type TracedStack } from '../src/index.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const LIMIT = 20;
let collector: LoopbackCollector;
let stack: TracedStack;

beforeAll(async () => {
  collector = await startSingleTier({ decisionWait: '1s', env: { SPANMETRICS_CARDINALITY_LIMIT: String(LIMIT) } });
  stack = await startTracedStack({ collectorUrl: collector.otlpHttpUrl, kotlin: false, headers: { authorization: `Bearer ${collector.token()}` }, operationNames: ['GetPatient'] });
});
afterAll(async () => {
  await stack?.stop();
  await collector?.stop();
});

async function callSeries(expectedCalls: (series: { attributes: Record<string, unknown> }) => boolean, total: number) {
  let calls: { attributes: Record<string, unknown>; value: number }[] = [];
  const deadline = Date.now() + 10_000;
  do {
    await new Promise((resolve) => setTimeout(resolve, 500));
    calls = (await readLatestSeries(collector.metricsFile)).filter((series) => series.metric.endsWith('.calls') && expectedCalls(series));
  } while (calls.reduce((n, series) => n + series.value, 0) < total && Date.now() < deadline);
  return calls;
}

test('300 distinct GraphQL operation names through the BFF: span names and call series stay a handful', async () => {
  for (let i = 0; i < 300; i++) {
    const response = await fetch(stack.bffViaNode.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer token-hospital-b' },
      body: JSON.stringify({ query: `query Flood${i} { patient(id: "p-1") { id summary } }` }),
    });
    expect(response.status).toBe(200);
  }
  expect(await stack.flush()).toEqual([]);
  const produced = stack.produced();
  const names = new Set(produced.map((span) => span.name));
  const calls = await callSeries((series) => series.attributes['service.name'] !== 'free-naming-service', produced.length);
  console.info(`[span metrics, BFF flood] ${produced.length} spans, span names ${JSON.stringify([...names])} -> ${calls.length} call series`);
  expect(names.size).toBeLessThanOrEqual(5);
  expect(calls.length).toBeLessThanOrEqual(5);
  expect(calls.reduce((n, series) => n + series.value, 0)).toBe(produced.length);
}, 40_000);

test(`a service naming 300 spans freely: at most ${LIMIT} + 1 call series, one of them the overflow, every call counted`, async () => {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'free-naming-service' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${collector.otlpHttpUrl}/v1/traces`, headers: { authorization: `Bearer ${collector.token()}` } }))],
  });
  const tracer = provider.getTracer('flood');
  for (let i = 0; i < 300; i++) tracer.startSpan(`GET /patients/${i}`).end();
  await provider.forceFlush();
  const calls = await callSeries((series) => series.attributes['service.name'] === 'free-naming-service', 300);
  await provider.shutdown();
  const overflow = calls.filter((series) => series.attributes['otel.metric.overflow'] === true);
  console.info(`[span metrics, free naming] 300 spans with 300 names -> ${calls.length} call series (${overflow.length} overflow, counting ${overflow[0]?.value ?? 0})`);
  expect(calls.length).toBeLessThanOrEqual(LIMIT + 1);
  expect(overflow).toHaveLength(1);
  expect(calls.reduce((n, series) => n + series.value, 0)).toBe(300);
}, 30_000);
