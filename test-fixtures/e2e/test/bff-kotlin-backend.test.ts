// The real JVM peer: a Kotlin gRPC service under the OpenTelemetry Java agent.
// HTTP -> BFF -> Kotlin, Kotlin client -> Node, and BFF -> Kotlin -> Node.
import { createServiceTelemetry, startBff, startNodeBackend, type Bff, type HandlerObservation, type NodeBackend } from '@tracehop/fixture-bff';
import { traceTree } from '@tracehop/doctor/testing';
import { GCP_SPAN_ID_KEY, runKotlinClient, startKotlinServer, traceIdOf, type KotlinServer } from '@tracehop/fixture-kotlin-backend';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { allLogs, allSpans, fromOtlpSpan, newTraceparent, postGraphQL, useAsyncContext } from './harness.js';

useAsyncContext();
const bffTelemetry = createServiceTelemetry('bff');
const nodeTelemetry = createServiceTelemetry('node-backend');
let kotlin: KotlinServer;
let nodeBackend: NodeBackend;
let bff: Bff;
let roundTripBff: Bff;

beforeAll(async () => {
  [kotlin, nodeBackend] = await Promise.all([startKotlinServer(), startNodeBackend(nodeTelemetry)]);
  // acceptBaggage: true so the spoofing test exercises tenant stripping, not just the edge default.
  bff = await startBff({ telemetry: bffTelemetry, backendAddress: kotlin.address, acceptBaggage: true });
  roundTripBff = await startBff({ telemetry: bffTelemetry, backendAddress: kotlin.address, forwardTo: nodeBackend.address });
}, 120_000);
afterAll(async () => {
  await Promise.all([bff?.stop(), roundTripBff?.stop()]);
  await Promise.all([kotlin?.stop(), nodeBackend?.stop()]);
});
beforeEach(() => {
  bffTelemetry.reset();
  nodeTelemetry.reset();
});

const SUMMARY = '{ patient(id: "p-1") { summary } }';

test('HTTP -> BFF -> Kotlin: the agent span continues the BFF trace and the Kotlin code saw it, with the tenant', async () => {
  const incoming = newTraceparent();
  const response = await postGraphQL(bff.url, SUMMARY, { traceparent: incoming.header, authorization: 'Bearer token-hospital-a' });
  expect(response.errors).toBeUndefined();
  const seenByKotlin = JSON.parse(response.data!.patient!.summary) as HandlerObservation;
  expect(seenByKotlin).toMatchObject({ service: 'kotlin-backend', traceId: incoming.traceId, baggage: { 'tenant.id': 'hospital_a' } });

  const bffClient = allSpans(bffTelemetry).find((s) => s.kind === 'CLIENT')!;
  const [kotlinServer] = await kotlin.waitForSpans((s) => s.traceId === incoming.traceId && s.kind === 2);
  expect(kotlinServer).toMatchObject({ name: 'tracehop.fixture.Echo/Say', parentSpanId: bffClient.spanId });
  expect(kotlinServer!.attributes['tenant.id']).toBe('hospital_a');
  expect(seenByKotlin.spanId).toBe(kotlinServer!.spanId);

  const kotlinLines = kotlin.logs().filter((l) => traceIdOf(l) === incoming.traceId);
  expect(kotlinLines.length).toBeGreaterThan(0);
  for (const line of kotlinLines) expect(line).toMatchObject({ [GCP_SPAN_ID_KEY]: kotlinServer!.spanId, 'tenant.id': 'hospital_a' });
});

test('Kotlin client -> Node server: the Node span is a child of the agent CLIENT span, pino lines carry its trace, baggage arrives', async () => {
  const result = await runKotlinClient(nodeBackend.address, { baggage: { 'tenant.id': 'hospital_b' } });
  expect(result.exitCode).toBe(0);
  const kotlinClient = result.spans.find((s) => s.kind === 3)!;
  const seenByNode = result.reply as HandlerObservation;
  expect(seenByNode).toMatchObject({ service: 'node-backend', traceId: kotlinClient.traceId, baggage: { 'tenant.id': 'hospital_b' } });
  const nodeServer = allSpans(nodeTelemetry).find((s) => s.kind === 'SERVER')!;
  expect(nodeServer).toMatchObject({ traceId: kotlinClient.traceId, parentSpanId: kotlinClient.spanId, tenant: 'hospital_b' });
  const lines = allLogs(nodeTelemetry);
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(line).toMatchObject({ trace_id: kotlinClient.traceId, span_id: nodeServer.spanId, 'tenant.id': 'hospital_b' });
}, 60_000);

test('BFF -> Kotlin -> Node in one trace: one tree, no orphan spans', async () => {
  const incoming = newTraceparent();
  const response = await postGraphQL(roundTripBff.url, SUMMARY, { traceparent: incoming.header, authorization: 'Bearer token-hospital-a' });
  expect(response.errors).toBeUndefined();
  const seen = JSON.parse(response.data!.patient!.summary) as HandlerObservation;
  expect(seen.downstream).toMatchObject({ service: 'node-backend', traceId: incoming.traceId, baggage: { 'tenant.id': 'hospital_a' } });

  const kotlinSpans = await kotlin.waitForSpans((s) => s.traceId === incoming.traceId, 10_000, 2);
  const spans = [...allSpans(bffTelemetry, nodeTelemetry), ...kotlinSpans.map(fromOtlpSpan)];
  expect(spans.map((s) => `${s.service}:${s.kind}`).sort()).toEqual([
    'bff:CLIENT',
    'bff:SERVER',
    'kotlin-backend:CLIENT',
    'kotlin-backend:SERVER',
    'node-backend:SERVER',
  ]);
  for (const span of spans) expect(span.traceId).toBe(incoming.traceId);
  const tree = traceTree(spans);
  const operation = spans.find((s) => s.service === 'bff' && s.kind === 'SERVER')!;
  expect(tree.orphans).toEqual([operation]); // its parent is the caller's, outside this system
  expect(operation.parentSpanId).toBe(incoming.parentId);
  // A chain: operation -> bff client -> kotlin server -> kotlin client -> node server.
  let depth = 0;
  for (let span = operation; tree.children(span).length === 1; span = tree.children(span)[0]!) depth++;
  expect(depth).toBe(4);
});

test('a client spoofing tenant baggage at the BFF: the Kotlin side never sees it', async () => {
  const incoming = newTraceparent();
  const response = await postGraphQL(bff.url, SUMMARY, {
    traceparent: incoming.header,
    authorization: 'Bearer token-hospital-b',
    baggage: 'tenant.id=evil,tenant.id=evil2,other=kept',
  });
  const seenByKotlin = JSON.parse(response.data!.patient!.summary) as HandlerObservation;
  expect(seenByKotlin.baggage).toEqual({ 'tenant.id': 'hospital_b', other: 'kept' });
  const kotlinSpans = await kotlin.waitForSpans((s) => s.traceId === incoming.traceId && s.kind === 2);
  expect(kotlinSpans[0]!.attributes['tenant.id']).toBe('hospital_b');
  const lines = kotlin.logs().filter((l) => traceIdOf(l) === incoming.traceId);
  expect(lines.length).toBeGreaterThan(0);
  expect(JSON.stringify([seenByKotlin, kotlinSpans, lines])).not.toMatch(/evil/);
});
