// Issue 14, item 3: the negative control. With the agent's kotlinx-coroutines
// instrumentation off, everything inside the grpc-kotlin handler still carries
// the trace (grpc-kotlin's GrpcContextElement holds it), but a coroutine started
// in the long-lived application scope loses it. This file runs the same request
// and the same per-step assertion as kotlin-coroutines.test.ts and shows that
// assertion failing for exactly that step: the suite would notice if the
// coroutine instrumentation broke.
import { createServiceTelemetry, startBff, startNodeBackend, type Bff, type HandlerObservation, type NodeBackend } from '@tracehop/fixture-bff';
import { GCP_SPAN_ID_KEY, GCP_TRACE_KEY, GCP_TRACE_SAMPLED_KEY, startKotlinServer, traceIdOf, type KotlinServer } from '@tracehop/fixture-kotlin-backend';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { allSpans, newTraceparent, postGraphQL, useAsyncContext } from './harness.js';
import { SAY_STEPS, ZERO_TRACE_ID, expectStepSaw, kotlinSummary, saySpans, stepsByName } from './kotlin-coroutines-steps.js';

useAsyncContext();
const bffTelemetry = createServiceTelemetry('bff');
const nodeTelemetry = createServiceTelemetry('node-backend');
let kotlin: KotlinServer;
let nodeBackend: NodeBackend;
let bff: Bff;

beforeAll(async () => {
  [kotlin, nodeBackend] = await Promise.all([
    startKotlinServer({ implementation: 'coroutine', systemProperties: { 'otel.instrumentation.kotlinx-coroutines.enabled': 'false' } }),
    startNodeBackend(nodeTelemetry),
  ]);
  bff = await startBff({ telemetry: bffTelemetry, backendAddress: kotlin.address, forwardTo: nodeBackend.address });
}, 120_000);
afterAll(async () => {
  await bff?.stop();
  await Promise.all([kotlin?.stop(), nodeBackend?.stop()]);
});

test('kotlinx-coroutines instrumentation off: only the application-scope step loses the trace and the tenant, and the per-step assertion fails for it', async () => {
  const incoming = newTraceparent();
  const seen = kotlinSummary(
    await postGraphQL(bff.url, '{ patient(id: "p-300") { summary } }', { traceparent: incoming.header, authorization: 'Bearer token-hospital-a' }),
  );
  expect(seen.steps!.map((s) => s.step)).toEqual([...SAY_STEPS]);
  // Three downstream calls stay in the trace; the application-scope one does not.
  const { server, clients } = await saySpans(kotlin, incoming.traceId, 3);
  const expected = { traceId: incoming.traceId, spanId: server.spanId, tenant: 'hospital_a', patientId: 'p-300' };

  const steps = stepsByName(seen);
  for (const step of seen.steps!) {
    if (step.step === 'application-scope') continue;
    expectStepSaw(step, expected); // handler-scoped coroutines and the manual asContextElement() path keep it
  }
  const lost = steps['application-scope']!;
  expect(() => expectStepSaw(lost, expected)).toThrow(/application-scope/);
  // MDCContext was passed explicitly, so the patient survives; the trace and the baggage do not.
  expect(lost).toMatchObject({ traceId: ZERO_TRACE_ID, spanId: '0'.repeat(16), tenant: null, patientId: 'p-300' });

  // Its downstream call started a new trace with no tenant: a root CLIENT span in Kotlin, a Node span under it.
  const downstream = lost.downstream as HandlerObservation;
  expect(downstream.traceId).not.toBe(incoming.traceId);
  expect(downstream.baggage).toEqual({});
  const [orphanClient] = await kotlin.waitForSpans((s) => s.traceId === downstream.traceId && s.kind === 3);
  expect(orphanClient!.parentSpanId).toBeUndefined();
  expect(orphanClient!.attributes['tenant.id']).toBeUndefined();
  expect(clients.map((c) => c.spanId)).not.toContain(orphanClient!.spanId);
  const nodeServer = allSpans(nodeTelemetry).find((s) => s.spanId === downstream.spanId)!;
  expect(nodeServer).toMatchObject({ traceId: downstream.traceId, parentSpanId: orphanClient!.spanId, tenant: undefined });

  // Its log line has no trace and no tenant; every other line of the request has both.
  const line = kotlin.logs().find((l) => l.patient_id === 'p-300' && l.message === 'step application-scope')!;
  for (const key of [GCP_TRACE_KEY, GCP_SPAN_ID_KEY, GCP_TRACE_SAMPLED_KEY, 'tenant.id']) expect(line).not.toHaveProperty([key]);
  const traced = kotlin.logs().filter((l) => traceIdOf(l) === incoming.traceId);
  expect(traced.map((l) => l.message).sort()).toEqual(SAY_STEPS.filter((s) => s !== 'application-scope').map((s) => `step ${s}`).sort());
});
