// HTTP -> Yoga BFF (useTraceContext, tenant from auth, pino traceMixin)
// -> @tracehop/grpc -> Node backend (createServerInterceptor, pino).
import { createServiceTelemetry, startBff, startNodeBackend, type Bff, type HandlerObservation, type NodeBackend } from '@tracehop/fixture-bff';
import { traceTree } from '@tracehop/doctor/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { allLogs, allSpans, newTraceparent, postGraphQL, useAsyncContext } from './harness.js';

useAsyncContext();
const bffTelemetry = createServiceTelemetry('bff');
const backendTelemetry = createServiceTelemetry('node-backend');
let backend: NodeBackend;
let bff: Bff;
let permissiveBff: Bff;

beforeAll(async () => {
  backend = await startNodeBackend(backendTelemetry);
  bff = await startBff({ telemetry: bffTelemetry, backendAddress: backend.address });
  // The same BFF configured to accept every inbound baggage entry: tenant stripping must still hold.
  permissiveBff = await startBff({ telemetry: bffTelemetry, backendAddress: backend.address, acceptBaggage: true });
});
afterAll(async () => {
  await bff.stop();
  await permissiveBff.stop();
  await backend.stop();
});
beforeEach(() => {
  bffTelemetry.reset();
  backendTelemetry.reset();
});

const QUERY = '{ patient(id: "p-1") { id summary vitals } }';

test('one trace from the incoming traceparent to the backend, with every parent link and the tenant everywhere', async () => {
  const incoming = newTraceparent();
  const response = await postGraphQL(bff.url, QUERY, { traceparent: incoming.header, authorization: 'Bearer token-hospital-a' });
  expect(response.errors).toBeUndefined();

  // What the backend handler's own code saw.
  const seenByBackend = JSON.parse(response.data!.patient!.summary) as HandlerObservation;
  expect(seenByBackend).toMatchObject({ service: 'node-backend', traceId: incoming.traceId, baggage: { 'tenant.id': 'hospital_a' } });

  const spans = allSpans(bffTelemetry, backendTelemetry);
  expect(spans.length).toBe(5); // operation, 2 x (client + server)
  for (const span of spans) {
    expect(span.traceId, span.name).toBe(incoming.traceId);
    expect(span.tenant, span.name).toBe('hospital_a');
  }
  const operation = spans.find((s) => s.service === 'bff' && s.kind === 'SERVER')!;
  expect(operation.name).toBe('query');
  expect(operation.parentSpanId).toBe(incoming.parentId);
  const clientSpans = spans.filter((s) => s.service === 'bff' && s.kind === 'CLIENT');
  const serverSpans = spans.filter((s) => s.service === 'node-backend' && s.kind === 'SERVER');
  expect(clientSpans.map((s) => s.name).sort()).toEqual(['tracehop.fixture.Echo/Say', 'tracehop.fixture.Echo/Stream']);
  for (const client of clientSpans) {
    expect(client.parentSpanId).toBe(operation.spanId);
    expect(serverSpans.filter((s) => s.parentSpanId === client.spanId)).toHaveLength(1);
  }
  // The only span whose parent is not here is the operation span, whose parent is the caller's.
  expect(traceTree(spans).orphans).toEqual([operation]);

  const logs = allLogs(bffTelemetry, backendTelemetry);
  expect(new Set(logs.map((l) => l.service))).toEqual(new Set(['bff', 'node-backend']));
  expect(logs.length).toBeGreaterThanOrEqual(5);
  for (const line of logs) {
    expect(line, line.msg).toMatchObject({ trace_id: incoming.traceId, 'tenant.id': 'hospital_a' });
    expect(spans.map((s) => s.spanId), line.msg).toContain(line.span_id);
  }
});

test('a failing backend call: error status on the client span and the operation, still one trace', async () => {
  const incoming = newTraceparent();
  const response = await postGraphQL(bff.url, '{ patient(id: "p-fail") { id summary } }', {
    traceparent: incoming.header,
    authorization: 'Bearer token-hospital-b',
  });
  expect(response.errors?.length).toBeGreaterThan(0);
  const spans = allSpans(bffTelemetry, backendTelemetry);
  expect(spans.every((s) => s.traceId === incoming.traceId && s.tenant === 'hospital_b')).toBe(true);
  expect(spans.find((s) => s.kind === 'CLIENT')?.status).toBe('ERROR');
  expect(spans.find((s) => s.service === 'node-backend')?.status).toBe('ERROR'); // INTERNAL is a server error
  expect(spans.find((s) => s.service === 'bff' && s.kind === 'SERVER')?.status).toBe('ERROR');
  const errorLine = allLogs(backendTelemetry).find((l) => l.level === 50);
  expect(errorLine).toMatchObject({ trace_id: incoming.traceId, 'tenant.id': 'hospital_b', msg: 'patient record store unavailable' });
});

describe('a client spoofing tenant baggage never gets it onto a span, a log line or the backend', () => {
  const spoofs = [
    'tenant.id=evil',
    'tenant.id=evil,tenant.id=evil2',
    'tenant%2Eid=evil',
    'TENANT.ID=evil',
    'tenant.id = evil ; prop=1',
    'tenant.id=%65vil',
    `x=${'y'.repeat(6000)},tenant.id=evil`,
    Array.from({ length: 200 }, (_, i) => `k${i}=v,tenant.id=evil${i}`).join(','),
  ];
  for (const [edge, url] of [['default edge', () => bff.url], ['edge accepting all baggage', () => permissiveBff.url]] as const) {
    test.each(spoofs.map((s) => [s.length > 60 ? `${s.slice(0, 40)}… (${s.length} bytes)` : s, s]))(`${edge}: %s`, async (_label, spoof) => {
      for (const authorization of ['Bearer token-hospital-a', undefined]) {
        bffTelemetry.reset();
        backendTelemetry.reset();
        const response = await postGraphQL(url(), QUERY, { baggage: spoof, ...(authorization ? { authorization } : {}) });
        expect(response.errors).toBeUndefined();
        const expectedTenant = authorization ? 'hospital_a' : undefined;
        const seenByBackend = JSON.parse(response.data!.patient!.summary) as HandlerObservation;
        expect(seenByBackend.baggage['tenant.id']).toBe(expectedTenant);
        const everything = JSON.stringify([seenByBackend, allSpans(bffTelemetry, backendTelemetry), allLogs(bffTelemetry, backendTelemetry)]);
        expect(everything).not.toMatch(/evil/i);
        for (const span of allSpans(bffTelemetry, backendTelemetry)) expect(span.tenant).toBe(expectedTenant);
        for (const line of allLogs(bffTelemetry, backendTelemetry)) expect(line['tenant.id']).toBe(expectedTenant);
      }
    });
  }
});

test('100 concurrent requests for two tenants: every span and line keeps its own trace and tenant', async () => {
  const requests = Array.from({ length: 100 }, (_, i) => ({
    incoming: newTraceparent(),
    tenant: i % 2 ? 'hospital_a' : 'hospital_b',
  }));
  await Promise.all(
    requests.map(({ incoming, tenant }) =>
      postGraphQL(bff.url, QUERY, { traceparent: incoming.header, authorization: `Bearer token-${tenant.replace('_', '-')}` }),
    ),
  );
  const tenantOf = new Map(requests.map((r) => [r.incoming.traceId, r.tenant]));
  const spans = allSpans(bffTelemetry, backendTelemetry);
  expect(spans).toHaveLength(500);
  for (const span of spans) expect(span.tenant).toBe(tenantOf.get(span.traceId));
  const logs = allLogs(bffTelemetry, backendTelemetry);
  expect(logs.length).toBeGreaterThanOrEqual(500);
  for (const line of logs) expect(line['tenant.id']).toBe(tenantOf.get(line.trace_id as string));
});
