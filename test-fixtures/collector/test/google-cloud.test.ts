// The deployable single-tier configuration as it is, googlecloud exporter
// included, pointed at a loopback Cloud Trace (the real
// google.devtools.cloudtrace.v2 TraceService) and a loopback Cloud Monitoring
// (the real google.monitoring.v3 MetricService): kept traces arrive through
// BatchWriteSpans, whole, under the configured project, dropped ones never; the
// span metrics of EVERY span arrive through CreateTimeSeries.
import { randomBytes } from 'node:crypto';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startFakeCloudMonitoring, startFakeCloudTrace, startSingleTier, type FakeCloudMonitoring, startTracedStack, type FakeCloudTrace, type LoopbackCollector, type TracedStack } from '../src/index.js';
import { postQuery } from './graphql.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
let cloudTrace: FakeCloudTrace;
let monitoring: FakeCloudMonitoring;
let collector: LoopbackCollector;
let stack: TracedStack;

beforeAll(async () => {
  [cloudTrace, monitoring] = await Promise.all([startFakeCloudTrace(), startFakeCloudMonitoring()]);
  collector = await startSingleTier({
    decisionWait: '1s',
    slowThresholdMs: 60_000,
    traces: { cloudTraceAddress: cloudTrace.address },
    metrics: { cloudMonitoringAddress: monitoring.address },
  });
  stack = await startTracedStack({ collectorUrl: collector.otlpHttpUrl, kotlin: false, headers: { authorization: `Bearer ${collector.token()}` } });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await collector?.stop();
  await cloudTrace?.stop();
  await monitoring?.stop();
});

test('kept traces reach Cloud Trace through BatchWriteSpans, whole and under the project; dropped ones do not', async () => {
  const send = async (token: string) => {
    const traceId = randomBytes(16).toString('hex');
    const response = await postQuery(stack.bffViaNode.url, 'p-1', token, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    expect(response.status).toBe(200);
    return traceId;
  };
  const kept = [await send('token-hospital-a'), await send('token-hospital-a')];
  const dropped = [await send('token-hospital-b'), await send('token-hospital-b')];
  expect(await stack.flush()).toEqual([]);

  const produced = stack.produced();
  const expectedNames = produced.filter((s) => kept.includes(s.traceId)).map((s) => `projects/tracehop-test/traces/${s.traceId}/spans/${s.spanId}`);
  const deadline = Date.now() + 15_000;
  while (!expectedNames.every((name) => cloudTrace.spans.some((span) => span.name === name)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // let anything that should not come, come
  console.info(`[cloud trace] ${cloudTrace.requests.length} BatchWriteSpans request(s), ${cloudTrace.spans.length} spans, for ${JSON.stringify([...new Set(cloudTrace.requests)])}`);

  expect(cloudTrace.spans.map((span) => span.name).sort()).toEqual(expectedNames.sort());
  expect(new Set(cloudTrace.requests)).toEqual(new Set(['projects/tracehop-test']));
  for (const id of dropped) expect(cloudTrace.spans.some((span) => span.name.includes(id))).toBe(false);
  // The exporter maps the span's name and the tenant attribute across.
  const byId = new Map(produced.map((s) => [s.spanId, s]));
  for (const span of cloudTrace.spans) {
    const source = byId.get(span.span_id);
    expect(span.display_name.value).toBe(source?.name);
    expect(span.parent_span_id ?? undefined).toBe(source?.parentSpanId);
    expect(span.attributes?.attribute_map?.['tenant.id']?.string_value?.value).toBe('hospital_a');
  }
}, 45_000);

test('span metrics of every span, kept or dropped, reach Cloud Monitoring through CreateTimeSeries', async () => {
  // Runs after the trace test: 4 requests (2 kept, 2 dropped), 3 spans each.
  const produced = stack.produced();
  const callsOf = () => {
    // Cumulative series: the latest point of each (metric labels + resource) is its total.
    const latest = new Map<string, number>();
    for (const series of monitoring.timeSeries) {
      if (!series.metric.type.endsWith('calls')) continue;
      const labels = Object.entries({ ...series.metric.labels, ...series.resource?.labels }).sort();
      const key = JSON.stringify([series.metric.type, labels]);
      latest.set(key, Number(series.points[0]?.value.int64_value ?? series.points[0]?.value.double_value ?? 0));
    }
    return [...latest.values()].reduce((a, b) => a + b, 0);
  };
  const deadline = Date.now() + 10_000;
  while (callsOf() < produced.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
  const types = [...new Set(monitoring.timeSeries.map((series) => series.metric.type))];
  console.info(`[cloud monitoring] ${monitoring.requests.length} CreateTimeSeries request(s), ${monitoring.timeSeries.length} series points; types ${JSON.stringify(types)}`);
  expect(callsOf()).toBe(produced.length);
  expect(new Set(monitoring.requests)).toEqual(new Set(['projects/tracehop-test']));
  expect(types.every((type) => type.startsWith('workload.googleapis.com/tracehop'))).toBe(true);
  const tenants = new Set(monitoring.timeSeries.map((series) => series.metric.labels?.['tenant_id'] ?? series.metric.labels?.['tenant.id']));
  expect(tenants).toEqual(new Set(['hospital_a', 'hospital_b']));
}, 20_000);
