// Issue 13, item 3, the option: `createClientInterceptor({ sentryTrace: true })`
// writes Sentry's `sentry-trace` next to `traceparent`, for the same span, so a
// backend that keeps Sentry's registered propagator (which reads only
// `sentry-trace` + `baggage`) continues the trace instead of starting its own,
// and continues the gateway's dynamic sampling context too. Off by default:
// sentry-continuity.test.ts shows the split without it.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createServiceTelemetry, startBff, type Bff } from '@tracehop/fixture-bff';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startChildService, type ChildService } from '../src/child-service.js';
import { startSentryIngest } from '../src/ingest.js';
import type { BackendObservation } from '../src/observation.js';
import type { SentryEnvelopeItem, SentryEvent, SentryIngest } from '../src/types.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const bffTelemetry = createServiceTelemetry('bff');
let ingest: SentryIngest;
let backend: ChildService;
let gateway: ChildService;
let bff: Bff;

beforeAll(async () => {
  ingest = await startSentryIngest();
  backend = await startChildService('backend', { SENTRY_DSN: ingest.dsn('b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2', '2'), BACKEND_PROPAGATOR: 'global' });
  bff = await startBff({ telemetry: bffTelemetry, backendAddress: backend.address, acceptBaggage: true, clientOptions: { sentryTrace: true } });
  gateway = await startChildService('gateway', { SENTRY_DSN: ingest.dsn('a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1', '1'), BFF_URL: bff.url });
}, 60_000);
afterAll(async () => {
  await gateway?.stop();
  await bff?.stop();
  await backend?.stop();
  await ingest?.stop();
});

const transactionOf = (project: string, traceId: string) => (item: SentryEnvelopeItem) =>
  item.project === project && item.itemHeader.type === 'transaction' && (item.payload as SentryEvent).contexts?.trace?.trace_id === traceId;

test("sentryTrace: true: a backend on Sentry's own propagator continues the trace and the gateway's sampling context", async () => {
  const response = await fetch(gateway.address, { method: 'POST', headers: { authorization: 'Bearer token-hospital-a' } });
  const result = (await response.json()) as { sent: Record<string, string>; body: string };
  const seen = JSON.parse((JSON.parse(result.body) as { data: { patient: { summary: string } } }).data.patient.summary) as BackendObservation;
  const [, traceId] = result.sent.traceparent!.split('-');
  const bffClient = bffTelemetry.spans().find((span) => span.kind === 2)!;
  const clientSpanId = bffClient.spanContext().spanId;

  // One sentry-trace for the BFF's client span, next to the traceparent for the same span.
  expect(seen.metadata['sentry-trace']).toEqual([`${traceId}-${clientSpanId}-1`]);
  expect(seen.metadata.traceparent).toEqual([`00-${traceId}-${clientSpanId}-01`]);
  expect(seen.traceId).toBe(traceId);

  const [gatewayTransaction] = await ingest.waitFor(transactionOf('1', traceId!));
  const [backendTransaction] = await ingest.waitFor(transactionOf('2', traceId!));
  expect((backendTransaction!.payload as SentryEvent).contexts!.trace).toMatchObject({ trace_id: traceId, parent_span_id: clientSpanId });
  // Sentry froze the incoming DSC: the backend reports the gateway's sampling context, not one of its own.
  expect(backendTransaction!.envelopeHeader.trace).toEqual(gatewayTransaction!.envelopeHeader.trace);
});
