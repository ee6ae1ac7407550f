// Issue 14: the Kotlin backend as its users write it. HTTP -> BFF -> a grpc-kotlin
// coroutine service under the OpenTelemetry Java agent -> the Node backend. The
// service switches dispatchers, fans out with `async`, calls from a long-lived
// application scope and through the manual `asContextElement()` path, streams a
// Flow from a dedicated pool; the trace and the authenticated tenant must reach
// every step, span and log line, and never cross to another request.
import { createServiceTelemetry, startBff, startNodeBackend, type Bff, type HandlerObservation, type NodeBackend } from '@tracehop/fixture-bff';
import { traceTree } from '@tracehop/doctor/testing';
import {
  GCP_SPAN_ID_KEY,
  GCP_TRACE_SAMPLED_KEY,
  startKotlinServer,
  traceIdOf,
  type KotlinObservation,
  type KotlinServer,
} from '@tracehop/fixture-kotlin-backend';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { allSpans, fromOtlpSpan, newTraceparent, postGraphQL, useAsyncContext } from './harness.js';
import { DOWNSTREAM_STEPS, SAY_STEPS, expectStepSaw, kotlinSummary, saySpans, stepsByName } from './kotlin-coroutines-steps.js';

useAsyncContext();
const bffTelemetry = createServiceTelemetry('bff');
const nodeTelemetry = createServiceTelemetry('node-backend');
let kotlin: KotlinServer;
let nodeBackend: NodeBackend;
let bff: Bff;

beforeAll(async () => {
  [kotlin, nodeBackend] = await Promise.all([startKotlinServer({ implementation: 'coroutine' }), startNodeBackend(nodeTelemetry)]);
  bff = await startBff({ telemetry: bffTelemetry, backendAddress: kotlin.address, forwardTo: nodeBackend.address });
}, 120_000);
afterAll(async () => {
  await bff?.stop();
  await Promise.all([kotlin?.stop(), nodeBackend?.stop()]);
});
beforeEach(() => {
  bffTelemetry.reset();
  nodeTelemetry.reset();
});

const TOKEN = { hospital_a: 'Bearer token-hospital-a', hospital_b: 'Bearer token-hospital-b' } as const;
type Tenant = keyof typeof TOKEN;

async function summary(patientId: string, tenant: Tenant, traceparent: string): Promise<KotlinObservation> {
  const query = `{ patient(id: "${patientId}") { summary } }`;
  return kotlinSummary(await postGraphQL(bff.url, query, { traceparent, authorization: TOKEN[tenant] }));
}

test('Say: every step sees the BFF trace, the Kotlin SERVER span and the authenticated tenant; the thread really changes', async () => {
  const incoming = newTraceparent();
  const seen = await summary('p-100', 'hospital_a', incoming.header);
  expect(seen.steps!.map((s) => s.step)).toEqual([...SAY_STEPS]);

  const bffClient = allSpans(bffTelemetry).find((s) => s.kind === 'CLIENT')!;
  const { server } = await saySpans(kotlin, incoming.traceId);
  expect(server.parentSpanId).toBe(bffClient.spanId);
  expect(server.attributes['tenant.id']).toBe('hospital_a');
  for (const step of seen.steps!) {
    expectStepSaw(step, { traceId: incoming.traceId, spanId: server.spanId, tenant: 'hospital_a', patientId: 'p-100' });
  }

  // Handler worker -> dedicated pool -> IO worker: each switch moved the coroutine to another thread.
  const steps = stepsByName(seen);
  expect(steps.entry!.thread).toMatch(/^DefaultDispatcher-worker-\d+$/);
  expect(steps.pool!.thread).toMatch(/^tenant-pool-\d+$/);
  expect(steps.io!.thread).toMatch(/^DefaultDispatcher-worker-\d+$/);
  expect(steps['fanout-pool']!.thread).toMatch(/^tenant-pool-\d+$/);
  expect(steps['application-scope']!.thread).toMatch(/^DefaultDispatcher-worker-\d+$/);
});

test('fan-out, application scope and manual path: Kotlin CLIENT spans under the SERVER span, each Node SERVER span under its own CLIENT span, one tree', async () => {
  const incoming = newTraceparent();
  const seen = await summary('p-101', 'hospital_b', incoming.header);
  const { server, clients } = await saySpans(kotlin, incoming.traceId);
  expect(clients).toHaveLength(DOWNSTREAM_STEPS.length);
  for (const client of clients) expect(client).toMatchObject({ parentSpanId: server.spanId, name: 'tracehop.fixture.Echo/Say' });

  const nodeServers = allSpans(nodeTelemetry).filter((s) => s.kind === 'SERVER');
  expect(nodeServers).toHaveLength(DOWNSTREAM_STEPS.length);
  const steps = stepsByName(seen);
  const parents = DOWNSTREAM_STEPS.map((name) => {
    const downstream = steps[name]!.downstream as HandlerObservation;
    expect(downstream, name).toMatchObject({ service: 'node-backend', traceId: incoming.traceId, baggage: { 'tenant.id': 'hospital_b' } });
    const nodeServer = nodeServers.find((s) => s.spanId === downstream.spanId)!;
    expect(nodeServer, name).toMatchObject({ traceId: incoming.traceId, tenant: 'hospital_b' });
    return nodeServer.parentSpanId;
  });
  // Four different CLIENT spans, one per call: no call was parented to another's span.
  expect([...parents].sort()).toEqual(clients.map((c) => c.spanId).sort());

  const spans = [...allSpans(bffTelemetry, nodeTelemetry), ...(await kotlin.waitForSpans((s) => s.traceId === incoming.traceId, 10_000, 5)).map(fromOtlpSpan)];
  for (const span of spans) expect(span.traceId).toBe(incoming.traceId);
  const tree = traceTree(spans);
  const operation = spans.find((s) => s.service === 'bff' && s.kind === 'SERVER')!;
  expect(tree.orphans).toEqual([operation]); // its parent is the caller's, outside the system
  const kotlinServer = spans.find((s) => s.spanId === server.spanId)!;
  expect(tree.children(kotlinServer).map((s) => `${s.service}:${s.kind}`)).toEqual(Array(4).fill('kotlin-backend:CLIENT'));
  for (const client of tree.children(kotlinServer)) expect(tree.children(client).map((s) => `${s.service}:${s.kind}`)).toEqual(['node-backend:SERVER']);
});

test('every Kotlin log line of the request names its trace and span (Cloud Logging fields), tenant and patient (MDCContext), on every thread', async () => {
  const incoming = newTraceparent();
  const seen = await summary('p-102', 'hospital_a', incoming.header);
  const { server } = await saySpans(kotlin, incoming.traceId);
  const lines = kotlin.logs().filter((l) => traceIdOf(l) === incoming.traceId);
  expect(lines.map((l) => l.message).sort()).toEqual(seen.steps!.map((s) => `step ${s.step}`).sort());
  expect(new Set(lines.map((l) => l.thread)).size).toBeGreaterThanOrEqual(3);
  for (const line of lines) {
    expect(line, line.message).toMatchObject({ [GCP_SPAN_ID_KEY]: server.spanId, [GCP_TRACE_SAMPLED_KEY]: true, 'tenant.id': 'hospital_a', patient_id: 'p-102' });
  }
  // No step line of this patient went out without the trace.
  expect(kotlin.logs().filter((l) => l.patient_id === 'p-102' && traceIdOf(l) !== incoming.traceId)).toEqual([]);
});

test('Stream: a Flow with flowOn(pool) through the BFF sees the trace and tenant at every emit', async () => {
  const incoming = newTraceparent();
  const response = await postGraphQL(bff.url, '{ patient(id: "p-103") { vitals } }', { traceparent: incoming.header, authorization: TOKEN.hospital_b });
  expect(response.errors).toBeUndefined();
  const emits = response.data!.patient!.vitals!.map((value) => JSON.parse(value) as KotlinObservation);
  expect(emits).toHaveLength(3);
  const [server] = await kotlin.waitForSpans((s) => s.traceId === incoming.traceId && s.kind === 2 && s.name === 'tracehop.fixture.Echo/Stream');
  expect(server!.attributes['tenant.id']).toBe('hospital_b');
  emits.forEach((emit, index) => {
    expect(emit.step!.step).toBe(`emit-${index}`);
    expect(emit.step!.thread).toMatch(/^tenant-pool-\d+$/);
    // The BFF's vitals call sends no patient: null, never another request's.
    expectStepSaw(emit.step!, { traceId: incoming.traceId, spanId: server!.spanId, tenant: 'hospital_b', patientId: null });
  });
  const lines = kotlin.logs().filter((l) => traceIdOf(l) === incoming.traceId);
  expect(lines.map((l) => l.message)).toEqual(['step emit-0', 'step emit-1', 'step emit-2']);
  for (const line of lines) expect(line).toMatchObject({ [GCP_SPAN_ID_KEY]: server!.spanId, 'tenant.id': 'hospital_b' });
});

test('tenant A interleaved with tenant B: no span, log line or reply of one request shows the other tenant or patient', async () => {
  const requests = Array.from({ length: 12 }, (_, i) => ({
    tenant: (i % 4 === 1 ? 'hospital_a' : 'hospital_b') as Tenant,
    patientId: `p-2${String(i).padStart(2, '0')}`,
    incoming: newTraceparent(),
  }));
  // Three rounds of four in flight: each A request shares the pools and the scope with B requests.
  const replies: KotlinObservation[] = [];
  for (let round = 0; round < requests.length; round += 4) {
    const batch = requests.slice(round, round + 4);
    replies.push(...(await Promise.all(batch.map((r) => summary(r.patientId, r.tenant, r.incoming.header)))));
  }
  const bffAndNode = allSpans(bffTelemetry, nodeTelemetry);
  for (const [i, request] of requests.entries()) {
    const { traceId } = request.incoming;
    const other = request.tenant === 'hospital_a' ? 'hospital_b' : 'hospital_a';
    const { server, clients } = await saySpans(kotlin, traceId);
    for (const step of replies[i]!.steps!) expectStepSaw(step, { traceId, spanId: server.spanId, tenant: request.tenant, patientId: request.patientId });
    for (const span of [server, ...clients]) expect(span.attributes['tenant.id']).toBe(request.tenant);
    const lines = kotlin.logs().filter((l) => traceIdOf(l) === traceId);
    expect(lines).toHaveLength(SAY_STEPS.length);
    for (const line of lines) expect(line).toMatchObject({ 'tenant.id': request.tenant, patient_id: request.patientId });
    const theirs = bffAndNode.filter((s) => s.traceId === traceId);
    expect(theirs.filter((s) => s.service === 'node-backend')).toHaveLength(DOWNSTREAM_STEPS.length);
    for (const span of theirs) expect(span.tenant, `${span.service} ${span.kind}`).toBe(request.tenant);
    const everything = JSON.stringify([replies[i], server, clients, lines, theirs]);
    expect(everything).not.toContain(other);
    for (const otherRequest of requests) if (otherRequest !== request) expect(everything).not.toContain(`"${otherRequest.patientId}"`);
  }
}, 60_000);
