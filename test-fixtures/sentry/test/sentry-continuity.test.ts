// Issue 13, item 3: Sentry continuity. A gateway instrumented with the real
// @sentry/node (own process) -> the tracehop BFF (real Yoga, this process) ->
// gRPC -> a Node backend instrumented with the real @sentry/node (own process)
// behind tracehop's server interceptor. Both Sentry SDKs report to a loopback
// ingest server speaking Sentry's envelope protocol. Asserted: one trace ID in
// Sentry's events (transactions and a message event) and in the BFF's
// OpenTelemetry spans, parent links across the hops, and Sentry's dynamic
// sampling baggage (`sentry-*`) arriving intact at the backend.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createServiceTelemetry, startBff, type Bff } from '@tracehop/fixture-bff';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { startChildService, type ChildService } from '../src/child-service.js';
import { startSentryIngest } from '../src/ingest.js';
import { sentryMembers, type BackendObservation } from '../src/observation.js';
import type { SentryEnvelopeItem, SentryEvent, SentryIngest } from '../src/types.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const GATEWAY_PROJECT = '1';
const BACKEND_PROJECT = '2';
const bffTelemetry = createServiceTelemetry('bff');
let ingest: SentryIngest;
/** Keeps tracehop's W3C propagator on its server interceptor (Sentry's own ignores `traceparent`). */
let w3cBackend: ChildService;
/** Keeps Sentry's registered propagator: what a Sentry user gets without touching tracehop's options. */
let sentryBackend: ChildService;
let gatewayToW3c: ChildService;
let gatewayToSentry: ChildService;
/** A gateway on Sentry's defaults: `sentry-trace` + `baggage`, no `traceparent`. */
let sentryOnlyGateway: ChildService;
const bffs: Bff[] = [];

beforeAll(async () => {
  ingest = await startSentryIngest();
  const backendDsn = ingest.dsn('b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2', BACKEND_PROJECT);
  [w3cBackend, sentryBackend] = await Promise.all([
    startChildService('backend', { SENTRY_DSN: backendDsn, BACKEND_PROPAGATOR: 'w3c' }),
    startChildService('backend', { SENTRY_DSN: backendDsn, BACKEND_PROPAGATOR: 'global' }),
  ]);
  // Behind the Sentry gateway the BFF is an internal hop: it continues the gateway's trace and keeps its baggage.
  const bffToW3c = await startBff({ telemetry: bffTelemetry, backendAddress: w3cBackend.address, acceptBaggage: true });
  const bffToSentry = await startBff({ telemetry: bffTelemetry, backendAddress: sentryBackend.address, acceptBaggage: true });
  bffs.push(bffToW3c, bffToSentry);
  const gatewayDsn = ingest.dsn('a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1', GATEWAY_PROJECT);
  [gatewayToW3c, gatewayToSentry, sentryOnlyGateway] = await Promise.all([
    startChildService('gateway', { SENTRY_DSN: gatewayDsn, BFF_URL: bffToW3c.url }),
    startChildService('gateway', { SENTRY_DSN: gatewayDsn, BFF_URL: bffToSentry.url }),
    startChildService('gateway', { SENTRY_DSN: gatewayDsn, BFF_URL: bffToW3c.url, PROPAGATE_TRACEPARENT: 'false' }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([gatewayToW3c, gatewayToSentry, sentryOnlyGateway].map((child) => child?.stop()));
  await Promise.all(bffs.map((bff) => bff.stop()));
  await Promise.all([w3cBackend, sentryBackend].map((child) => child?.stop()));
  await ingest?.stop();
});
beforeEach(() => {
  bffTelemetry.reset();
});

interface GatewayResult {
  status: number;
  body: string;
  /** The headers Sentry wrote on the gateway's call to the BFF. */
  sent: Record<string, string>;
}

/** One request through the gateway as tenant hospital_a: what the gateway sent and what the backend's handler saw. */
async function throughGateway(gateway: ChildService): Promise<{ sent: Record<string, string>; backend: BackendObservation }> {
  const response = await fetch(gateway.address, { method: 'POST', headers: { authorization: 'Bearer token-hospital-a' } });
  expect(response.status).toBe(200);
  const result = (await response.json()) as GatewayResult;
  expect(result.status).toBe(200);
  const graphql = JSON.parse(result.body) as { data?: { patient?: { summary: string } }; errors?: unknown };
  expect(graphql.errors).toBeUndefined();
  return { sent: result.sent, backend: JSON.parse(graphql.data!.patient!.summary) as BackendObservation };
}

const traceOf = (event: SentryEvent) => event.contexts?.trace;
const isTransactionOf = (project: string, traceId: string) => (item: SentryEnvelopeItem) =>
  item.project === project && item.itemHeader.type === 'transaction' && traceOf(item.payload as SentryEvent)?.trace_id === traceId;

test('gateway (Sentry) -> BFF (tracehop) -> gRPC -> backend (Sentry + tracehop): one trace ID in Sentry events and OTel spans', async () => {
  const { sent, backend } = await throughGateway(gatewayToW3c);
  // What the gateway's SDK sent: Sentry's two headers and, with propagateTraceparent, W3C's, all for one span.
  const [, traceId, gatewaySpanId] = sent.traceparent!.split('-');
  expect(sent['sentry-trace']).toMatch(new RegExp(`^${traceId}-${gatewaySpanId}(-[01])?$`));

  // The BFF continued it: every OTel span in the trace, the operation span a child of the gateway's span.
  const spans = bffTelemetry.spans();
  expect(spans.length).toBeGreaterThan(0);
  for (const span of spans) expect(span.spanContext().traceId).toBe(traceId);
  const operation = spans.find((span) => span.kind === 1)!;
  const bffClient = spans.find((span) => span.kind === 2)!;
  expect(operation.parentSpanContext?.spanId).toBe(gatewaySpanId);

  // The backend's handler ran in that trace, under tracehop's server span, a child of the BFF's client span.
  expect(backend.traceId).toBe(traceId);
  expect(backend.metadata.traceparent).toEqual([expect.stringMatching(new RegExp(`^00-${traceId}-${bffClient.spanContext().spanId}-01$`))]);

  // Sentry's events: the gateway's transaction, the backend's transaction and its message event, one trace ID.
  const [gatewayTransaction] = await ingest.waitFor(isTransactionOf(GATEWAY_PROJECT, traceId!));
  const [backendTransaction] = await ingest.waitFor(isTransactionOf(BACKEND_PROJECT, traceId!));
  const backendTrace = traceOf(backendTransaction!.payload as SentryEvent)!;
  expect(backendTrace).toMatchObject({ trace_id: traceId, span_id: backend.spanId, parent_span_id: bffClient.spanContext().spanId });
  expect((backendTransaction!.payload as SentryEvent).transaction).toBe('tracehop.fixture.Echo/Say');
  const gatewaySpanIds = [traceOf(gatewayTransaction!.payload as SentryEvent)!.span_id, ...((gatewayTransaction!.payload as SentryEvent).spans ?? []).map((s) => s.span_id)];
  expect(gatewaySpanIds).toContain(gatewaySpanId);
  const [message] = await ingest.waitFor(
    (item) => item.project === BACKEND_PROJECT && item.itemHeader.type === 'event' && traceOf(item.payload as SentryEvent)?.trace_id === traceId,
  );
  expect((message!.payload as SentryEvent).message).toBe('backend: patient record loaded');
});

test("Sentry's dynamic sampling baggage (sentry-*) arrives at the backend intact, beside the tenant from auth", async () => {
  const { sent, backend } = await throughGateway(gatewayToW3c);
  const [, traceId] = sent.traceparent!.split('-');
  const sentByGateway = sentryMembers(sent.baggage);
  expect(sentByGateway.map((member) => member.split('=')[0])).toEqual(
    expect.arrayContaining(['sentry-trace_id', 'sentry-public_key', 'sentry-sample_rate', 'sentry-sampled', 'sentry-sample_rand', 'sentry-environment', 'sentry-release']),
  );
  expect(sentByGateway).toContain(`sentry-trace_id=${traceId}`);
  // Byte for byte the same members on the gRPC hop, and the same entries in the handler's baggage.
  expect(sentryMembers(backend.metadata.baggage)).toEqual(sentByGateway);
  const decoded = Object.fromEntries(sentByGateway.map((member) => member.split('=')).map(([k, v]) => [k!, decodeURIComponent(v!)]));
  expect(backend.baggage).toEqual({ ...decoded, 'tenant.id': 'hospital_a' });

  // And they are the gateway's dynamic sampling context as Sentry's ingest received it.
  const [gatewayTransaction] = await ingest.waitFor(isTransactionOf(GATEWAY_PROJECT, traceId!));
  const dsc = gatewayTransaction!.envelopeHeader.trace!;
  for (const [key, value] of Object.entries(dsc)) expect(decoded[`sentry-${key}`]).toBe(String(value));
});

test("without sentry-trace (tracehop's default), a backend that keeps Sentry's registered propagator starts its own trace", async () => {
  // Why `sentryTrace` exists: Sentry's propagator reads only sentry-trace + baggage, never traceparent.
  const { sent, backend } = await throughGateway(gatewayToSentry);
  const [, traceId] = sent.traceparent!.split('-');
  expect(backend.metadata['sentry-trace']).toEqual([]);
  expect(backend.metadata.traceparent).toEqual([expect.stringContaining(traceId!)]);
  expect(backend.traceId).not.toBe(traceId);
  const [split] = await ingest.waitFor((item) => item.project === BACKEND_PROJECT && item.itemHeader.type === 'transaction' && traceOf(item.payload as SentryEvent)?.span_id === backend.spanId);
  expect(traceOf(split!.payload as SentryEvent)!.trace_id).not.toBe(traceId);
});

test('a Sentry gateway on its defaults (no traceparent): tracehop reads no sentry-trace, so the BFF starts a new trace', async () => {
  // Why the gateway needs Sentry's `propagateTraceparent` (or tracehop an inbound sentry-trace option): a split trace.
  const { sent, backend } = await throughGateway(sentryOnlyGateway);
  expect(sent.traceparent).toBeUndefined();
  const [sentryTraceId] = sent['sentry-trace']!.split('-');
  const operation = bffTelemetry.spans().find((span) => span.kind === 1)!;
  expect(operation.parentSpanContext).toBeUndefined();
  expect(operation.spanContext().traceId).not.toBe(sentryTraceId);
  expect(backend.traceId).toBe(operation.spanContext().traceId);
  // The gateway's sentry-* baggage still travels (the hop accepts baggage), now naming another trace than the one it rides in.
  expect(sentryMembers(backend.metadata.baggage)).toContain(`sentry-trace_id=${sentryTraceId}`);
});
