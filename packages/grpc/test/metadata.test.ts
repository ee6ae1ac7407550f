import * as grpc from '@grpc/grpc-js';
import { context, propagation, SpanKind, trace, type TextMapPropagator } from '@opentelemetry/api';
import { AlwaysOffSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createClient, createTelemetry, observingHandlers, sayAsync, startServer, useAsyncContext, type Observation, type RunningServer } from './harness.js';
import type { EchoClient } from '@tracehop/fixture-proto';

useAsyncContext();
const telemetry = createTelemetry();
const seen: Observation[] = [];
const metadataSeen: grpc.Metadata[] = [];
let running: RunningServer;

beforeAll(async () => {
  running = await startServer(observingHandlers(seen, metadataSeen), { tracerProvider: telemetry.provider });
});
afterAll(() => running.stop());
beforeEach(() => {
  telemetry.exporter.reset();
  seen.length = 0;
  metadataSeen.length = 0;
});

function withBaggage(entries: Record<string, string>) {
  return propagation.setBaggage(
    context.active(),
    propagation.createBaggage(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { value: v }]))),
  );
}

async function withClient<T>(options: Parameters<typeof createClient>[1], fn: (client: EchoClient) => Promise<T>): Promise<T> {
  const client = createClient(running.address, options);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

test("injects into a copy: the caller's metadata is unchanged and stale duplicates never reach the server", async () => {
  const callerMetadata = new grpc.Metadata();
  callerMetadata.add('traceparent', '00-11111111111111111111111111111111-2222222222222222-01');
  callerMetadata.add('traceparent', '00-33333333333333333333333333333333-4444444444444444-01');
  callerMetadata.set('x-request-id', 'r-1');
  await withClient({ tracerProvider: telemetry.provider }, (client) => sayAsync(client, 'x', callerMetadata));

  expect(callerMetadata.get('traceparent')).toHaveLength(2);
  expect(Object.keys(callerMetadata.getMap()).sort()).toEqual(['traceparent', 'x-request-id']);
  const received = metadataSeen[0]!;
  const clientSpan = telemetry.span('tracehop.fixture.Echo/Say', SpanKind.CLIENT).spanContext();
  expect(received.get('traceparent')).toEqual([`00-${clientSpan.traceId}-${clientSpan.spanId}-01`]);
  expect(received.get('x-request-id')).toEqual(['r-1']);
});

test('forwardBaggage: false sends no baggage, not even a stale one from the caller', async () => {
  const callerMetadata = new grpc.Metadata();
  callerMetadata.set('baggage', 'stale=1');
  await withClient({ tracerProvider: telemetry.provider, forwardBaggage: false }, (client) =>
    context.with(withBaggage({ 'tenant.id': 't_a' }), () => sayAsync(client, 'x', callerMetadata)),
  );
  expect(metadataSeen[0]!.get('baggage')).toEqual([]);
  expect(metadataSeen[0]!.get('traceparent')).toHaveLength(1);
  expect(seen[0]!.baggage).toEqual({});
});

test('baggage sent stays within 64 members and the byte cap, whole members only', async () => {
  const entries = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v'.repeat(40)]));
  await withClient({ tracerProvider: telemetry.provider }, (client) => context.with(withBaggage(entries), () => sayAsync(client, 'x')));
  const header = metadataSeen[0]!.get('baggage')[0] as string;
  const members = header.split(',');
  expect(members.length).toBeLessThanOrEqual(64);
  expect(Buffer.byteLength(header)).toBeLessThanOrEqual(4096);
  for (const member of members) expect(member).toMatch(/^k\d+=v{40}$/);
  expect(Object.keys(seen[0]!.baggage)).toHaveLength(members.length);
});

test('a partial baggageLimits keeps the other default: { maxMembers: 50 } still sends at most 4096 bytes', async () => {
  // 60 members of ~100 bytes: about 6 KB, over the gRPC byte cap, under 64 members.
  const entries = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, 'v'.repeat(96)]));
  await withClient({ tracerProvider: telemetry.provider, baggageLimits: { maxMembers: 50 } }, (client) =>
    context.with(withBaggage(entries), () => sayAsync(client, 'x')),
  );
  const header = metadataSeen[0]!.get('baggage')[0] as string;
  expect(Buffer.byteLength(header)).toBeLessThanOrEqual(4096);
  expect(header.split(',').length).toBeLessThanOrEqual(50);
});

test('nonsense baggageLimits are refused when the interceptor is built, not on a call', () => {
  expect(() => createClient(running.address, { baggageLimits: { maxBytes: -5 } })).toThrow(
    new TypeError('createClientInterceptor: option "baggageLimits.maxBytes" must be a non-negative integer, got number -5'),
  );
});

test('sentryTrace: true also sends sentry-trace for the call span, replacing a stale one', async () => {
  const callerMetadata = new grpc.Metadata();
  callerMetadata.set('sentry-trace', '11111111111111111111111111111111-2222222222222222-1');
  await withClient({ tracerProvider: telemetry.provider, sentryTrace: true }, (client) => sayAsync(client, 'x', callerMetadata));
  const clientSpan = telemetry.span('tracehop.fixture.Echo/Say', SpanKind.CLIENT).spanContext();
  expect(metadataSeen[0]!.get('sentry-trace')).toEqual([`${clientSpan.traceId}-${clientSpan.spanId}-1`]);
});

test('a -bin header written by a propagator travels as bytes and reads back as base64', async () => {
  const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);
  const binaryPropagator: TextMapPropagator = {
    inject: (_ctx, carrier, setter) => setter.set(carrier, 'x-trace-bin', bytes.toString('base64')),
    extract: (ctx) => ctx,
    fields: () => ['x-trace-bin'],
  };
  await withClient({ tracerProvider: telemetry.provider, propagator: binaryPropagator }, (client) => sayAsync(client, 'x'));
  expect(metadataSeen[0]!.get('x-trace-bin')).toEqual([bytes]);
});

test('a throwing propagator never fails the call', async () => {
  const throwing: TextMapPropagator = {
    inject: () => {
      throw new Error('inject boom');
    },
    extract: () => {
      throw new Error('extract boom');
    },
    fields: () => {
      throw new Error('fields boom');
    },
  };
  await withClient({ tracerProvider: telemetry.provider, propagator: throwing }, (client) =>
    expect(sayAsync(client, 'still works')).resolves.toEqual({ value: 'still works' }),
  );
});

describe('semantic-convention modes', () => {
  test.each([
    ['stable', { 'rpc.system.name': 'grpc', 'rpc.method': 'tracehop.fixture.Echo/Say', 'rpc.status_code': 'OK' }],
    [
      'dup',
      {
        'rpc.system': 'grpc',
        'rpc.system.name': 'grpc',
        'rpc.service': 'tracehop.fixture.Echo',
        'rpc.method': 'tracehop.fixture.Echo/Say',
        'rpc.grpc.status_code': 0,
        'rpc.status_code': 'OK',
      },
    ],
  ] as const)('%s', async (semconv, expected) => {
    await withClient({ tracerProvider: telemetry.provider, semconv, target: undefined }, (client) => sayAsync(client, 'x'));
    expect(telemetry.span('tracehop.fixture.Echo/Say', SpanKind.CLIENT).attributes).toEqual(expected);
  });
});

describe('without an SDK, context still passes through', () => {
  test('client and server with the no-op global provider keep the caller trace and baggage', async () => {
    const bare = await startServer(observingHandlers(seen, metadataSeen), {});
    const client = createClient(bare.address, {});
    try {
      const remote = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true };
      const ctx = trace.setSpanContext(withBaggage({ 'tenant.id': 't_a' }), remote);
      await context.with(ctx, () => sayAsync(client, 'x'));
    } finally {
      client.close();
      await bare.stop();
    }
    expect(metadataSeen[0]!.get('traceparent')).toEqual(['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01']);
    expect(seen[0]).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', baggage: { 'tenant.id': 't_a' } });
    expect(telemetry.spans()).toHaveLength(0);
  });
});

describe('a sampled-out span from a real SDK', () => {
  test("is what the client propagates: its own span ID, sampled flag off, not the caller's", async () => {
    const sampledOut = new BasicTracerProvider({ sampler: new AlwaysOffSampler() });
    const caller = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true };
    await withClient({ tracerProvider: sampledOut }, (client) =>
      context.with(trace.setSpanContext(context.active(), caller), () => sayAsync(client, 'x')),
    );
    const sent = metadataSeen[0]!.get('traceparent')[0] as string;
    const [, traceId, spanId, flags] = sent.split('-');
    expect(traceId).toBe(caller.traceId);
    expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(spanId).not.toBe(caller.spanId);
    expect(flags).toBe('00');
  });
});
