// The flood, end to end: 10,000 distinct GraphQL operation names over HTTP
// through the BFF, with spoofed tenant values in baggage, headers and bearer
// tokens, plus 1,000 calls to distinct unknown gRPC methods straight at the Node
// backend. Span metrics (computed from every span, before sampling) stay at or
// under the fixed bound collector/README.md documents, with no overflow and
// every span counted; span names stay a handful.
import * as grpc from '@grpc/grpc-js';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readSpanMetrics, startSingleTier, startTracedStack, type LoopbackCollector, type SpanMetricSeries, type TracedStack } from '../src/index.js';
import { OPERATIONS } from './hospital-mix.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const FLOOD = 10_000;
const CONCURRENCY = 64;
const LISTED = Object.keys(OPERATIONS);
// The README's bound, (H + 1) x 3 statuses x (operation values) + 1 overflow, for this
// fixture: H = 2 hospitals; operation values = the BFF's operation span, 3 types x
// (2 listed names + _OTHER + unnamed) = 12, its gRPC CLIENT spans (Say, Stream) = 2, the
// Node backend's SERVER spans (Say, Stream) = 2.
const SERIES_BOUND = (2 + 1) * 3 * (3 * (LISTED.length + 2) + 2 + 2) + 1;
let collector: LoopbackCollector;
let stack: TracedStack;

beforeAll(async () => {
  collector = await startSingleTier({ decisionWait: '1s' });
  stack = await startTracedStack({ collectorUrl: collector.otlpHttpUrl, kotlin: false, headers: { authorization: `Bearer ${collector.token()}` }, operationNames: LISTED });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await collector?.stop();
});

const TOKENS = ['token-hospital-a', 'token-hospital-b', 'spoofed-token'];

async function floodRequest(i: number): Promise<void> {
  const spoof = `hospital_spoof_${i}`;
  // Every 20th request reaches the backend (summary -> Say), carrying the spoofed baggage along if the BFF let it through.
  const fields = i % 20 === 0 ? 'id summary' : 'id';
  const response = await fetch(stack.bffViaNode.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${TOKENS[i % TOKENS.length]!}`,
      baggage: `tenant.id=${spoof}`,
      'x-tenant-id': spoof,
      'x-goog-authenticated-user-email': `accounts.google.com:${spoof}@example.com`,
    },
    body: JSON.stringify({ query: `query Flood${i} { patient(id: "p-${i}") { ${fields} } }` }),
  });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
}

async function unknownMethods(count: number): Promise<Set<number | undefined>> {
  const client = new grpc.Client(stack.nodeAddress, grpc.credentials.createInsecure());
  const identity = (value: Buffer) => value;
  const codes = await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const metadata = new grpc.Metadata();
      metadata.set('baggage', `tenant.id=grpc_spoof_${i}`);
      return new Promise<number | undefined>((resolve) =>
        client.makeUnaryRequest(`/attacker.Svc${i}/Method${i}`, identity, identity, Buffer.alloc(0), metadata, (error) => resolve(error?.code)),
      );
    }),
  );
  client.close();
  return new Set(codes);
}

test(`${FLOOD} operation names, spoofed tenants and 1,000 unknown gRPC methods: at most ${SERIES_BOUND} series per metric, every span counted`, async () => {
  const started = Date.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < FLOOD) await floodRequest(next++);
  }));
  const floodMs = Date.now() - started;
  expect(await unknownMethods(1_000)).toEqual(new Set([grpc.status.UNIMPLEMENTED]));
  expect(await stack.flush()).toEqual([]);

  const produced = stack.produced();
  let series: SpanMetricSeries[] = [];
  let calls: SpanMetricSeries[] = [];
  const deadline = Date.now() + 20_000;
  do {
    await new Promise((resolve) => setTimeout(resolve, 500));
    series = await readSpanMetrics(collector.metricsFile);
    calls = series.filter((s) => s.metric.endsWith('.calls'));
  } while (calls.reduce((n, s) => n + s.count, 0) < produced.length && Date.now() < deadline);

  const values = (key: string) => [...new Set(calls.map((s) => s.attributes[key]))].map(String).sort();
  const durations = series.filter((s) => s.metric.endsWith('.duration'));
  const spanNames = [...new Set(produced.map((span) => span.name))].sort();
  console.info(
    `[flood] ${FLOOD} requests over HTTP in ${floodMs} ms (concurrency ${CONCURRENCY}) + 1,000 unknown gRPC methods -> ${produced.length} spans, ` +
      `${calls.length} calls series / ${durations.length} duration series (bound ${SERIES_BOUND}); span names ${JSON.stringify(spanNames)}; ` +
      `tenant.id ${JSON.stringify(values('tenant.id'))}; graphql.operation.name ${JSON.stringify(values('graphql.operation.name'))}; rpc.method ${JSON.stringify(values('rpc.method'))}`,
  );
  expect(calls.reduce((n, s) => n + s.count, 0)).toBe(produced.length);
  expect(calls.length).toBeLessThanOrEqual(SERIES_BOUND);
  expect(durations.length).toBeLessThanOrEqual(SERIES_BOUND);
  expect(series.some((s) => s.attributes['otel.metric.overflow'] === true)).toBe(false);
  expect(values('tenant.id')).toEqual(['hospital_a', 'hospital_b', 'none']);
  expect(values('graphql.operation.name')).toEqual(['_OTHER', 'undefined']); // undefined: the gRPC spans, which have no operation name
  expect(values('rpc.method')).toEqual(['Say', 'undefined']);
  expect(spanNames).toEqual(['query', 'tracehop.fixture.Echo/Say']);
  // No unknown method reached a span (grpc-js answers UNIMPLEMENTED before any interceptor).
  expect(produced.some((span) => span.name.includes('attacker'))).toBe(false);
}, 85_000);
