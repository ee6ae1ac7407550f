// Issue 13, item 5: on trusted hops, other vendors' `tracestate` members (up to
// W3C's 32) and Sentry's `sentry-*` baggage pass through unchanged and within
// limits. HTTP -> BFF (trusted caller, baggage accepted) -> Kotlin under the
// OpenTelemetry Java agent -> a Node gRPC backend that reports every metadata
// key it received; BFF -> that Node backend directly; and a plain gRPC caller
// -> the Node backend fixture (tracehop server and client) -> that Node backend.
// The Kotlin reply says what the Kotlin code saw; the Node backend behind it
// shows what the Kotlin service (its agent) carried on.
import * as grpc from '@grpc/grpc-js';
import {
  createServiceTelemetry,
  startBff,
  startNodeBackend,
  type Bff,
  type HandlerObservation,
  type NodeBackend,
} from '@tracehop/fixture-bff';
import { loadEcho } from '@tracehop/fixture-proto';
import { startKotlinServer, type KotlinServer } from '@tracehop/fixture-kotlin-backend';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { useAsyncContext } from './harness.js';
import { postQuery } from './http-client.js';
import {
  CALLER_SPAN_ID,
  CALLER_TRACE_ID,
  cloudTraceHeader,
  datadogHeaders,
  sentryTrace,
  startRecordingBackend,
  type RecordedCall,
} from './vendor-headers.js';

useAsyncContext();
const bffTelemetry = createServiceTelemetry('bff');
const recorderTelemetry = createServiceTelemetry('recording-backend');
const nodeTelemetry = createServiceTelemetry('node-backend');
let kotlin: KotlinServer;
let nodeBackend: NodeBackend;
let recorder: Awaited<ReturnType<typeof startRecordingBackend>>;
let viaKotlin: Bff;
let direct: Bff;

beforeAll(async () => {
  [kotlin, recorder, nodeBackend] = await Promise.all([startKotlinServer(), startRecordingBackend(recorderTelemetry), startNodeBackend(nodeTelemetry)]);
  // A trusted hop: the BFF behind the company's own gateway, continuing its trace and keeping its baggage.
  viaKotlin = await startBff({ telemetry: bffTelemetry, backendAddress: kotlin.address, forwardTo: recorder.address, acceptBaggage: true });
  direct = await startBff({ telemetry: bffTelemetry, backendAddress: recorder.address, acceptBaggage: true });
}, 120_000);
afterAll(async () => {
  await Promise.all([viaKotlin?.stop(), direct?.stop()]);
  await Promise.all([kotlin?.stop(), recorder?.stop(), nodeBackend?.stop()]);
});

const TRACEPARENT = `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`;
/** Datadog's member (dd-trace-js writes it), two from the W3C spec, and vendors up to `count` members. */
function tracestate(count: number): string {
  const members = [`dd=s:1;o:rum;p:${CALLER_SPAN_ID};t.dm:-0;t.tid:${CALLER_TRACE_ID.slice(0, 16)}`, 'congo=t61rcWkgMzE', 'rojo=00f067aa0ba902b7'];
  for (let i = 1; members.length < count; i++) members.push(`v${i}@hospital=x${i}`);
  return members.join(',');
}
/** Sentry's dynamic sampling context as @sentry/node writes it (values percent-encoded), a spoofed tenant, one more key. */
const SENTRY_MEMBERS = [
  `sentry-trace_id=${CALLER_TRACE_ID}`,
  'sentry-public_key=49d0f7386ad645858ae85020e393bef3',
  'sentry-release=gateway%401.0.0',
  'sentry-environment=production',
  'sentry-transaction=POST%20%2Fgraphql',
  'sentry-sample_rate=0.25',
  'sentry-sampled=true',
  'sentry-sample_rand=0.0123456789',
  'sentry-org_id=1',
];
const BAGGAGE = [...SENTRY_MEMBERS, 'tenant.id=evil', 'other=kept'].join(',');
const SENTRY_ENTRIES = Object.fromEntries(SENTRY_MEMBERS.map((m) => m.split('=')).map(([k, v]) => [k!, decodeURIComponent(v!)]));
const sentryMembersOf = (baggage: string[] | undefined) => (baggage ?? []).join(',').split(',').filter((m) => m.startsWith('sentry-'));

async function send(bff: Bff, headers: Record<string, string>): Promise<unknown> {
  const response = await postQuery(bff.url, '{ patient(id: "p-1") { summary } }', { ...headers, authorization: 'Bearer token-hospital-a' });
  expect(response.status).toBe(200);
  const body = JSON.parse(response.body) as { data?: { patient?: { summary: string } }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return JSON.parse(body.data!.patient!.summary);
}

test('BFF -> Kotlin -> Node: 32 tracestate members (dd= first) and sentry-* baggage arrive at the Kotlin code and pass through its agent unchanged', async () => {
  const sentState = tracestate(32);
  const seenByKotlin = (await send(viaKotlin, { traceparent: TRACEPARENT, tracestate: sentState, baggage: BAGGAGE })) as HandlerObservation & {
    downstream: RecordedCall;
  };
  // The Kotlin code (OpenTelemetry API, bridged by the agent) saw the trace and every sentry-* entry, the tenant from auth.
  expect(seenByKotlin).toMatchObject({ service: 'kotlin-backend', traceId: CALLER_TRACE_ID });
  expect(seenByKotlin.baggage).toEqual({ ...SENTRY_ENTRIES, other: 'kept', 'tenant.id': 'hospital_a' });

  // What the Kotlin service sent on: the same tracestate, byte for byte, in order, all 32 members.
  const afterKotlin = seenByKotlin.downstream;
  expect(afterKotlin.metadata.tracestate).toEqual([sentState]);
  expect(afterKotlin.metadata.tracestate![0]!.split(',')).toHaveLength(32);
  expect(afterKotlin.metadata.traceparent![0]).toMatch(new RegExp(`^00-${CALLER_TRACE_ID}-[0-9a-f]{16}-01$`));
  // The same sentry-* entries (the Java agent may percent-encode differently, so values are compared decoded).
  expect(afterKotlin.observed.baggage).toEqual({ ...SENTRY_ENTRIES, other: 'kept', 'tenant.id': 'hospital_a' });
  expect(Buffer.byteLength(afterKotlin.metadata.baggage!.join(','))).toBeLessThanOrEqual(8192);
  expect(JSON.stringify(seenByKotlin)).not.toContain('evil');
});

test('BFF -> Node directly (tracehop on both sides): tracestate and sentry-* members byte for byte', async () => {
  const sentState = tracestate(32);
  const received = (await send(direct, { traceparent: TRACEPARENT, tracestate: sentState, baggage: BAGGAGE })) as RecordedCall;
  expect(received.metadata.tracestate).toEqual([sentState]);
  expect(sentryMembersOf(received.metadata.baggage)).toEqual(SENTRY_MEMBERS);
  expect(received.observed.baggage).toEqual({ ...SENTRY_ENTRIES, other: 'kept', 'tenant.id': 'hospital_a' });
});

test('33 tracestate members are over the W3C limit: the header is dropped whole, the trace and the sentry-* baggage still go through Kotlin', async () => {
  const seenByKotlin = (await send(viaKotlin, { traceparent: TRACEPARENT, tracestate: tracestate(33), baggage: BAGGAGE })) as HandlerObservation & {
    downstream: RecordedCall;
  };
  expect(seenByKotlin.traceId).toBe(CALLER_TRACE_ID);
  expect(seenByKotlin.downstream.metadata.tracestate).toBeUndefined();
  expect(seenByKotlin.downstream.observed.baggage).toEqual({ ...SENTRY_ENTRIES, other: 'kept', 'tenant.id': 'hospital_a' });
});

/** A plain grpc-js caller (no tracehop) -> the Node backend fixture, asked to forward to the recorder. */
function callNodeBackend(metadata: Record<string, string>): Promise<HandlerObservation & { downstream: RecordedCall }> {
  const { Echo } = loadEcho(grpc);
  const client = new Echo(nodeBackend.address, grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  for (const [key, value] of Object.entries(metadata)) md.set(key, value);
  return new Promise((resolve, reject) =>
    client.say({ value: JSON.stringify({ forwardTo: recorder.address }) }, md, (error, reply) => {
      client.close();
      if (error) reject(error);
      else resolve(JSON.parse(reply!.value) as HandlerObservation & { downstream: RecordedCall });
    }),
  );
}

test('internal gRPC hop (server defaults): W3C context, dd= tracestate and sentry-* baggage go on; sentry-trace, x-datadog-*, X-Cloud-Trace-Context do not', async () => {
  const sentState = tracestate(32);
  const seen = await callNodeBackend({
    traceparent: TRACEPARENT,
    tracestate: sentState,
    baggage: SENTRY_MEMBERS.join(','),
    ...sentryTrace('keep'),
    ...datadogHeaders('keep'),
    ...cloudTraceHeader('keep'),
  });
  expect(seen.traceId).toBe(CALLER_TRACE_ID);
  const onward = seen.downstream.metadata;
  expect(onward.tracestate).toEqual([sentState]);
  expect(sentryMembersOf(onward.baggage)).toEqual(SENTRY_MEMBERS);
  expect(Object.keys(onward).filter((key) => /^(sentry-|x-datadog-|x-cloud-trace-context$)/.test(key))).toEqual([]);
});

test('internal gRPC hop: sentry-trace, x-datadog-* or X-Cloud-Trace-Context alone do not continue a trace (the default propagator is W3C)', async () => {
  const seen = await callNodeBackend({ ...sentryTrace('keep'), ...datadogHeaders('keep'), ...cloudTraceHeader('keep') });
  expect(seen.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(seen.traceId).not.toBe(CALLER_TRACE_ID);
  expect(seen.downstream.metadata.traceparent![0]).toContain(seen.traceId!);
  expect(JSON.stringify(seen.downstream.metadata)).not.toContain(CALLER_TRACE_ID);
});
