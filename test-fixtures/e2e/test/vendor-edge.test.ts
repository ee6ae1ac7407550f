// Vendors' trace headers at the public edge, over real HTTP
// into the BFF (real Yoga + tracehop) and real gRPC to a backend that reports
// every metadata key it received. At an untrusted edge none of `sentry-trace`,
// `sentry-*` baggage, `x-datadog-*`, `X-Cloud-Trace-Context` or a sampled
// `traceparent` steers the trace ID, the sampling decision or the tenant, and
// none reaches the backend, even when the edge's propagator reads them. The
// options that allow them are exercised at the end.
import { AlwaysOffSampler, ParentBasedSampler } from '@opentelemetry/sdk-trace-base';
import { createPropagator } from '@tracehop/core';
import { createServiceTelemetry, startBff, type Bff } from '@tracehop/fixture-bff';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { useAsyncContext } from './harness.js';
import { postQuery } from './http-client.js';
import {
  CALLER_MARKS,
  CALLER_TRACE_ID,
  cloudTraceHeader,
  datadogHeaders,
  receivedTraceparent,
  sentryBaggage,
  sentryTrace,
  startRecordingBackend,
  w3cHeaders,
  type RecordedCall,
  type SamplingHint,
} from './vendor-headers.js';

useAsyncContext();
const backendTelemetry = createServiceTelemetry('recording-backend');
/** An edge whose sampler records every new root trace. */
const samplingTelemetry = createServiceTelemetry('bff-sampling');
/** An edge whose sampler records no new root trace: a caller's "keep" must not change that. */
const droppingTelemetry = createServiceTelemetry('bff-dropping', { sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }) });
let backend: Awaited<ReturnType<typeof startRecordingBackend>>;
type Edge = 'untrustedSampling' | 'untrustedDropping' | 'trustedDefault' | 'trustedSentryBaggage' | 'trustedCloudTrace' | 'trustedSentryTrace' | 'trustedDatadog';
const edges: Record<Edge, Bff> = {} as never;

beforeAll(async () => {
  backend = await startRecordingBackend(backendTelemetry);
  const backendAddress = backend.address;
  // The untrusted edges read every vendor header tracehop can read, so "ignored" is shown for headers they parse.
  const everyVendor = createPropagator({ cloudTraceContext: true, sentryTrace: true, datadog: true });
  const untrusted = { backendAddress, trustTraceContext: false, propagator: everyVendor };
  edges.untrustedSampling = await startBff({ ...untrusted, telemetry: samplingTelemetry });
  edges.untrustedDropping = await startBff({ ...untrusted, telemetry: droppingTelemetry });
  edges.trustedDefault = await startBff({ backendAddress, telemetry: samplingTelemetry });
  edges.trustedSentryBaggage = await startBff({ backendAddress, telemetry: samplingTelemetry, acceptBaggage: (key) => key.startsWith('sentry-') });
  edges.trustedCloudTrace = await startBff({ backendAddress, telemetry: samplingTelemetry, propagator: createPropagator({ cloudTraceContext: true }) });
  edges.trustedSentryTrace = await startBff({ backendAddress, telemetry: samplingTelemetry, propagator: createPropagator({ sentryTrace: true }) });
  edges.trustedDatadog = await startBff({ backendAddress, telemetry: samplingTelemetry, propagator: createPropagator({ datadog: true }) });
});
afterAll(async () => {
  await Promise.all(Object.values(edges).map((edge) => edge.stop()));
  await backend.stop();
});
beforeEach(() => {
  for (const telemetry of [backendTelemetry, samplingTelemetry, droppingTelemetry]) telemetry.reset();
});

/** Sends the query as tenant hospital_a with `headers`; returns what the backend received. */
async function call(edge: Bff, headers: Record<string, string>): Promise<RecordedCall> {
  const response = await postQuery(edge.url, '{ patient(id: "p-1") { summary } }', { ...headers, authorization: 'Bearer token-hospital-a' });
  expect(response.status).toBe(200);
  const body = JSON.parse(response.body) as { data?: { patient?: { summary: string } }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return JSON.parse(body.data!.patient!.summary) as RecordedCall;
}

/** Nothing the caller wrote reached the backend: only tracehop's own traceparent and the tenant baggage. */
function expectNothingForwarded(received: RecordedCall): void {
  const keys = Object.keys(received.metadata);
  expect(keys.filter((key) => /^(sentry-|x-datadog-|x-cloud-trace-context$|tracestate$)/.test(key))).toEqual([]);
  expect(received.metadata.baggage).toEqual(['tenant.id=hospital_a']);
  expect(received.observed.baggage).toEqual({ 'tenant.id': 'hospital_a' });
  const seen = JSON.stringify(received.metadata);
  for (const mark of CALLER_MARKS) expect(seen).not.toContain(mark);
}

const ROWS: { header: string; make: (hint: SamplingHint) => Record<string, string> }[] = [
  { header: 'sentry-trace', make: sentryTrace },
  { header: 'sentry-* baggage members', make: sentryBaggage },
  { header: 'x-datadog-* (trace-id, parent-id, sampling-priority, origin, tags)', make: datadogHeaders },
  { header: 'X-Cloud-Trace-Context', make: cloudTraceHeader },
  { header: 'traceparent with the sampled flag, tracestate with dd= and sentry=', make: w3cHeaders },
  {
    header: 'all of them in one request',
    make: (hint) => ({ ...sentryTrace(hint), ...sentryBaggage(hint), ...datadogHeaders(hint), ...cloudTraceHeader(hint), ...w3cHeaders(hint) }),
  },
];

describe('untrusted edge (trustTraceContext: false, acceptBaggage default)', () => {
  test.each(ROWS)('$header asking to keep: a new trace the edge does not sample, nothing forwarded, tenant from auth', async ({ make }) => {
    const received = await call(edges.untrustedDropping, make('keep'));
    const { traceId, flags } = receivedTraceparent(received);
    expect(traceId).not.toBe(CALLER_TRACE_ID);
    expect(flags).toBe('00');
    expect(droppingTelemetry.spans()).toEqual([]);
    expectNothingForwarded(received);
  });

  test.each(ROWS)('$header asking to drop: a new trace the edge samples, nothing forwarded, tenant from auth', async ({ make }) => {
    const received = await call(edges.untrustedSampling, make('drop'));
    const { traceId, flags } = receivedTraceparent(received);
    expect(traceId).not.toBe(CALLER_TRACE_ID);
    expect(flags).toBe('01');
    const operation = samplingTelemetry.spans().find((span) => span.kind === 1);
    expect(operation?.spanContext().traceId).toBe(traceId);
    expect(received.observed.traceId).toBe(traceId);
    expectNothingForwarded(received);
  });
});

describe('trusted edge, defaults (the public GraphQL edge as shipped)', () => {
  test('sentry-trace and x-datadog-* are not read by the default propagator, even from a trusted caller, and not forwarded', async () => {
    const received = await call(edges.trustedDefault, { ...sentryTrace('keep'), ...datadogHeaders('keep') });
    expect(receivedTraceparent(received).traceId).not.toBe(CALLER_TRACE_ID);
    expectNothingForwarded(received);
  });

  test('sentry-* baggage is dropped by default (acceptBaggage: false at the edge)', async () => {
    const received = await call(edges.trustedDefault, { ...w3cHeaders('keep'), ...sentryBaggage('keep') });
    expect(received.metadata.baggage).toEqual(['tenant.id=hospital_a']);
  });

  test('X-Cloud-Trace-Context is not read by the default propagator', async () => {
    const received = await call(edges.trustedDefault, cloudTraceHeader('keep'));
    expect(receivedTraceparent(received).traceId).not.toBe(CALLER_TRACE_ID);
    expectNothingForwarded(received);
  });
});

describe('allowed by option', () => {
  test('trustTraceContext (default true): traceparent continues the trace and its sampled flag is followed; tracestate is kept', async () => {
    const received = await call(edges.trustedDefault, w3cHeaders('drop'));
    expect(receivedTraceparent(received)).toEqual({ traceId: CALLER_TRACE_ID, flags: '00' });
    expect(received.metadata.tracestate).toEqual([w3cHeaders('drop').tracestate]);
  });

  test('acceptBaggage: (key) => key.startsWith("sentry-") passes every sentry-* member unchanged, never the spoofed tenant', async () => {
    const sent = sentryBaggage('keep').baggage.split(',');
    const received = await call(edges.trustedSentryBaggage, { ...w3cHeaders('keep'), ...sentryBaggage('keep') });
    const members = received.metadata.baggage!.join(',').split(',');
    expect(members.filter((m) => m.startsWith('sentry-')).sort()).toEqual(sent.filter((m) => m.startsWith('sentry-')).sort());
    expect(received.observed.baggage['tenant.id']).toBe('hospital_a');
    expect(members).not.toContain('tenant.id=evil');
  });

  test('propagator: createPropagator({ cloudTraceContext: true }) continues X-Cloud-Trace-Context at a trusted edge', async () => {
    const received = await call(edges.trustedCloudTrace, cloudTraceHeader('keep'));
    expect(receivedTraceparent(received)).toEqual({ traceId: CALLER_TRACE_ID, flags: '01' });
    expect(Object.keys(received.metadata)).not.toContain('x-cloud-trace-context');
  });

  test.each([
    ['keep', '01'],
    ['drop', '00'],
  ] as const)('propagator: createPropagator({ sentryTrace: true }) continues sentry-trace (%s) at a trusted edge; it is not forwarded', async (hint, flags) => {
    const received = await call(edges.trustedSentryTrace, sentryTrace(hint));
    expect(receivedTraceparent(received)).toEqual({ traceId: CALLER_TRACE_ID, flags });
    expect(Object.keys(received.metadata)).not.toContain('sentry-trace');
  });

  test.each([
    ['keep', '01'],
    ['drop', '00'],
  ] as const)('propagator: createPropagator({ datadog: true }) continues x-datadog-* (%s) at a trusted edge, 128-bit trace ID from _dd.p.tid; none forwarded', async (hint, flags) => {
    const received = await call(edges.trustedDatadog, datadogHeaders(hint));
    expect(receivedTraceparent(received)).toEqual({ traceId: CALLER_TRACE_ID, flags });
    expect(Object.keys(received.metadata).filter((key) => key.startsWith('x-datadog-'))).toEqual([]);
  });

  test('traceparent wins over sentry-trace and x-datadog-* when a request carries all three', async () => {
    const other = 'a'.repeat(32);
    const received = await call(edges.trustedSentryTrace, { ...sentryTrace('keep'), traceparent: `00-${other}-${'b'.repeat(16)}-01` });
    expect(receivedTraceparent(received).traceId).toBe(other);
  });
});
