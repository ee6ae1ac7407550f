import * as grpc from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createClient, createTelemetry, sayAsync, startServer, useAsyncContext, type RunningServer } from './harness.js';
import type { EchoClient, EchoMessage } from '@tracehop/fixture-proto';

useAsyncContext();
const telemetry = createTelemetry();
const SAY = 'tracehop.fixture.Echo/Say';
let running: RunningServer | undefined;
let client: EchoClient | undefined;

beforeEach(() => telemetry.exporter.reset());
afterEach(async () => {
  client?.close();
  await running?.stop();
  running = undefined;
  client = undefined;
});

/** A unary Say handler that answers with the given status code. */
function failingWith(code: grpc.status): grpc.UntypedServiceImplementation {
  return {
    Say(_call: unknown, callback: grpc.sendUnaryData<EchoMessage>) {
      callback({ code, details: `failed with ${grpc.status[code]}` }, null);
    },
  };
}

async function waitForSpans(count: number): Promise<void> {
  for (let i = 0; i < 200 && telemetry.spans().length < count; i++) await new Promise((r) => setTimeout(r, 5));
}

test('NOT_FOUND is an error for the client and not for the server (semconv)', async () => {
  running = await startServer(failingWith(grpc.status.NOT_FOUND), { tracerProvider: telemetry.provider });
  client = createClient(running.address, { tracerProvider: telemetry.provider });
  await expect(sayAsync(client, 'x')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  await waitForSpans(2);
  const clientSpan = telemetry.span(SAY, SpanKind.CLIENT);
  const serverSpan = telemetry.span(SAY, SpanKind.SERVER);
  expect(clientSpan.status.code).toBe(SpanStatusCode.ERROR);
  expect(clientSpan.attributes['error.type']).toBe('NOT_FOUND');
  expect(clientSpan.attributes['rpc.grpc.status_code']).toBe(grpc.status.NOT_FOUND);
  expect(serverSpan.status.code).toBe(SpanStatusCode.UNSET);
  expect(serverSpan.attributes['rpc.grpc.status_code']).toBe(grpc.status.NOT_FOUND);
  expect(serverSpan.attributes['error.type']).toBeUndefined();
});

test('INTERNAL is an error on both sides', async () => {
  running = await startServer(failingWith(grpc.status.INTERNAL), { tracerProvider: telemetry.provider });
  client = createClient(running.address, { tracerProvider: telemetry.provider });
  await expect(sayAsync(client, 'x')).rejects.toMatchObject({ code: grpc.status.INTERNAL });
  await waitForSpans(2);
  expect(telemetry.span(SAY, SpanKind.CLIENT).status).toEqual({ code: SpanStatusCode.ERROR, message: 'failed with INTERNAL' });
  expect(telemetry.span(SAY, SpanKind.SERVER).status).toEqual({ code: SpanStatusCode.ERROR, message: 'failed with INTERNAL' });
});

test('a status sent by a later interceptor (auth) ends the server span with that status', async () => {
  const rejectAll: grpc.ServerInterceptor = (_method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(_metadata, _next) {
            call.sendStatus({ code: grpc.status.UNAUTHENTICATED, details: 'no token' });
          },
        });
      },
    });
  let handlerRan = false;
  running = await startServer({ Say: () => (handlerRan = true) }, { tracerProvider: telemetry.provider }, [rejectAll]);
  client = createClient(running.address, { tracerProvider: telemetry.provider });
  await expect(sayAsync(client, 'x')).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
  await waitForSpans(2);
  const serverSpan = telemetry.span(SAY, SpanKind.SERVER);
  expect(handlerRan).toBe(false);
  expect(serverSpan.attributes['rpc.grpc.status_code']).toBe(grpc.status.UNAUTHENTICATED);
  expect(serverSpan.status.code).toBe(SpanStatusCode.UNSET);
  expect(serverSpan.parentSpanContext?.spanId).toBe(telemetry.span(SAY, SpanKind.CLIENT).spanContext().spanId);
});

test('a client cancel ends both spans once, as CANCELLED', async () => {
  running = await startServer({ Say: () => undefined /* never answers */ }, { tracerProvider: telemetry.provider });
  client = createClient(running.address, { tracerProvider: telemetry.provider });
  const call = client.say({ value: 'x' }, () => undefined);
  await new Promise((r) => setTimeout(r, 50));
  call.cancel();
  await waitForSpans(2);
  const clientSpan = telemetry.span(SAY, SpanKind.CLIENT);
  const serverSpan = telemetry.span(SAY, SpanKind.SERVER);
  expect(clientSpan.attributes['rpc.grpc.status_code']).toBe(grpc.status.CANCELLED);
  expect(clientSpan.status.code).toBe(SpanStatusCode.ERROR);
  expect(serverSpan.attributes['rpc.grpc.status_code']).toBe(grpc.status.CANCELLED);
  // CANCELLED is the caller's choice, not a server failure.
  expect(serverSpan.status.code).toBe(SpanStatusCode.UNSET);
});

test('a deadline ends both spans once, as DEADLINE_EXCEEDED, an error on both sides', async () => {
  running = await startServer({ Say: () => undefined }, { tracerProvider: telemetry.provider });
  client = createClient(running.address, { tracerProvider: telemetry.provider });
  await expect(sayAsync(client, 'x', new grpc.Metadata(), { deadline: Date.now() + 100 })).rejects.toMatchObject({
    code: grpc.status.DEADLINE_EXCEEDED,
  });
  await waitForSpans(2);
  await new Promise((r) => setTimeout(r, 50)); // a second end would show up as a third span
  expect(telemetry.spans()).toHaveLength(2);
  expect(telemetry.span(SAY, SpanKind.CLIENT).attributes['rpc.grpc.status_code']).toBe(grpc.status.DEADLINE_EXCEEDED);
  const serverSpan = telemetry.span(SAY, SpanKind.SERVER);
  expect(serverSpan.attributes['rpc.grpc.status_code']).toBe(grpc.status.DEADLINE_EXCEEDED);
  expect(serverSpan.status.code).toBe(SpanStatusCode.ERROR);
});

test('retries share one CLIENT span; every attempt is a SERVER span under it', async () => {
  let attempts = 0;
  running = await startServer(
    {
      Say(call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
        attempts++;
        if (attempts < 3) callback({ code: grpc.status.UNAVAILABLE, details: 'try again' }, null);
        else callback(null, { value: call.request.value });
      },
    },
    { tracerProvider: telemetry.provider },
  );
  const serviceConfig = {
    methodConfig: [
      {
        name: [{ service: 'tracehop.fixture.Echo' }],
        retryPolicy: {
          maxAttempts: 3,
          initialBackoff: '0.01s',
          maxBackoff: '0.05s',
          backoffMultiplier: 1,
          retryableStatusCodes: ['UNAVAILABLE'],
        },
      },
    ],
  };
  client = createClient(running.address, { tracerProvider: telemetry.provider }, { 'grpc.service_config': JSON.stringify(serviceConfig) });
  await expect(sayAsync(client, 'x')).resolves.toEqual({ value: 'x' });
  await waitForSpans(4);
  const clientSpans = telemetry.spans().filter((s) => s.kind === SpanKind.CLIENT);
  const serverSpans = telemetry.spans().filter((s) => s.kind === SpanKind.SERVER);
  expect(attempts).toBe(3);
  expect(clientSpans).toHaveLength(1);
  expect(clientSpans[0]!.attributes['rpc.grpc.status_code']).toBe(grpc.status.OK);
  expect(serverSpans).toHaveLength(3);
  for (const serverSpan of serverSpans) {
    expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpans[0]!.spanContext().spanId);
  }
});
