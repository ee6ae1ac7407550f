// Property tests: whatever a caller puts in the propagation headers, the call
// succeeds, nothing throws, and what goes out stays within the W3C limits.
import * as grpc from '@grpc/grpc-js';
import { context, propagation, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createClient, createTelemetry, observingHandlers, sayAsync, startServer, useAsyncContext, type Observation, type RunningServer } from './harness.js';
import { metadataGetter } from '../src/metadata-carrier.js';
import type { EchoClient, EchoMessage } from '@tracehop/fixture-proto';

useAsyncContext();
// The service under attack records spans, as a production service would.
const telemetry = createTelemetry();
const seen: Observation[] = [];
const outbound: grpc.Metadata[] = [];
let upstream: RunningServer;
let downstream: RunningServer;
let bareClient: EchoClient;

beforeAll(async () => {
  // downstream records what the tracehop client in `upstream`'s handler sends on.
  downstream = await startServer(observingHandlers([], outbound), {});
  const onward = createClient(downstream.address, { tracerProvider: telemetry.provider });
  upstream = await startServer(
    {
      Say(call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
        seen.push({ where: 'say', traceId: trace.getSpanContext(context.active())?.traceId, spanId: undefined, baggage: {} });
        onward.say({ value: 'onward' }, (error) => callback(error, { value: call.request.value }));
      },
    },
    { tracerProvider: telemetry.provider },
  );
  // The hostile caller is a plain grpc-js client: no tracehop, it sends whatever it likes.
  bareClient = createClient(upstream.address, false);
});
afterAll(async () => {
  bareClient.close();
  await upstream.stop();
  await downstream.stop();
});

const printable = fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFabcdef=;,%~'.split('')), maxLength: 120 });
const nearTraceparent = fc.oneof(
  printable,
  fc.tuple(fc.constantFrom('00', 'ff', '01', 'zz', '0'), fc.stringMatching(/^[0-9a-f]{0,34}$/), fc.stringMatching(/^[0-9a-fA-F]{0,18}$/), fc.constantFrom('00', '01', 'ff', '1', ''))
    .map(([v, t, s, f]) => `${v}-${t}-${s}-${f}`),
);
const hostileBaggage = fc.oneof(
  printable,
  fc.array(fc.tuple(printable, printable), { maxLength: 300 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join(',')),
  fc.integer({ min: 1, max: 20 }).map((n) => `k=${'v'.repeat(n * 500)}`),
);

test('hostile traceparent, tracestate, baggage and binary keys never fail a call', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(nearTraceparent, { minLength: 0, maxLength: 3 }),
      fc.array(printable, { maxLength: 3 }),
      fc.array(hostileBaggage, { maxLength: 3 }),
      fc.uint8Array({ maxLength: 64 }),
      async (traceparents, tracestates, baggages, binary) => {
        const metadata = new grpc.Metadata();
        for (const value of traceparents) metadata.add('traceparent', value);
        for (const value of tracestates) metadata.add('tracestate', value);
        for (const value of baggages) metadata.add('baggage', value);
        metadata.add('traceparent-bin', Buffer.from(binary));
        outbound.length = 0;
        await expect(sayAsync(bareClient, 'ok', metadata, { deadline: Date.now() + 5_000 })).resolves.toEqual({ value: 'ok' });

        // What the tracehop client sends on is well-formed and within the W3C limits.
        const sent = outbound[0]!;
        expect(sent.get('traceparent')).toHaveLength(1);
        expect(sent.get('traceparent')[0]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
        const baggage = sent.get('baggage');
        expect(baggage.length).toBeLessThanOrEqual(1);
        if (baggage.length === 1) {
          expect((baggage[0] as string).split(',').length).toBeLessThanOrEqual(64);
          expect(Buffer.byteLength(baggage[0] as string)).toBeLessThanOrEqual(4096);
        }
      },
    ),
    { numRuns: 150 },
  );
});

test('a comma-joined (duplicated) traceparent starts a new trace, as W3C requires', async () => {
  const metadata = new grpc.Metadata();
  metadata.add('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  metadata.add('traceparent', '00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  seen.length = 0;
  await expect(sayAsync(bareClient, 'dup', metadata)).resolves.toEqual({ value: 'dup' });
  expect(seen[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(seen[0]!.traceId).not.toMatch(/^(0af|1af)7651916cd43dd8448eb211c80319c$/);
});

test('the getter returns every value and reads binary values as base64', () => {
  fc.assert(
    fc.property(fc.array(fc.stringMatching(/^[ -~]{0,40}$/), { maxLength: 4 }), fc.uint8Array({ maxLength: 32 }), (values, bytes) => {
      const metadata = new grpc.Metadata();
      for (const value of values) metadata.add('tracestate', value);
      metadata.add('x-bin', Buffer.from(bytes));
      expect(metadataGetter.get(metadata, 'tracestate') ?? []).toEqual(values);
      expect(metadataGetter.get(metadata, 'x-bin')).toEqual([Buffer.from(bytes).toString('base64')]);
      expect(metadataGetter.keys(metadata)).toContain('x-bin');
    }),
  );
});

test('baggage set by the app with values grpc-js cannot send is percent-encoded, not fatal', async () => {
  const ctx = propagation.setBaggage(
    context.active(),
    propagation.createBaggage({ 'tenant.id': { value: 'ünïcode\n\u0000,;=' }, 'ok': { value: 'yes' } }),
  );
  const client = createClient(downstream.address, {});
  outbound.length = 0;
  try {
    await expect(context.with(ctx, () => sayAsync(client, 'x'))).resolves.toEqual({ value: 'x' });
  } finally {
    client.close();
  }
  expect(outbound[0]!.get('baggage')[0]).toMatch(/ok=yes/);
});
