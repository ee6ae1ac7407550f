import * as grpc from '@grpc/grpc-js';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  chatAsync,
  collectAsync,
  collectStream,
  createClient,
  createTelemetry,
  observe,
  observingHandlers,
  sayAsync,
  startServer,
  useAsyncContext,
  type Observation,
  type RunningServer,
} from './harness.js';
import type { EchoClient } from '@tracehop/fixture-proto';

useAsyncContext();
const telemetry = createTelemetry();
const seen: Observation[] = [];
const sendStatusSeen: Observation[] = [];
let running: RunningServer;
let client: EchoClient;

// A second interceptor, after tracehop's, reports the context its sendStatus runs in.
const statusProbe: grpc.ServerInterceptor = (_method, call) =>
  new grpc.ServerInterceptingCall(call, {
    sendStatus(status, next) {
      sendStatusSeen.push(observe('sendStatus'));
      next(status);
    },
  });

beforeAll(async () => {
  running = await startServer(observingHandlers(seen), { tracerProvider: telemetry.provider }, [statusProbe]);
  client = createClient(running.address, { tracerProvider: telemetry.provider });
});
afterAll(async () => {
  client.close();
  await running.stop();
});
beforeEach(() => {
  telemetry.exporter.reset();
  seen.length = 0;
  sendStatusSeen.length = 0;
});

/** Runs `call` inside a parent span with baggage, as a BFF resolver would. */
async function underParent<T>(call: () => Promise<T>): Promise<{ traceId: string; result: T }> {
  const parent = telemetry.provider.getTracer('test').startSpan('parent');
  const ctx = propagation.setBaggage(trace.setSpan(context.active(), parent), propagation.createBaggage({ 'tenant.id': { value: 't_a' } }));
  const result = await context.with(ctx, call);
  parent.end();
  return { traceId: parent.spanContext().traceId, result };
}

function expectOneTrace(method: string, traceId: string, points: string[]): void {
  const clientSpan = telemetry.span(`tracehop.fixture.Echo/${method}`, SpanKind.CLIENT);
  const serverSpan = telemetry.span(`tracehop.fixture.Echo/${method}`, SpanKind.SERVER);
  expect(clientSpan.spanContext().traceId).toBe(traceId);
  expect(serverSpan.spanContext().traceId).toBe(traceId);
  expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
  expect(serverSpan.parentSpanContext?.isRemote).toBe(true);

  // Every place user code ran saw the server span, and the baggage it was sent.
  expect(seen.map((o) => o.where)).toEqual(expect.arrayContaining(points));
  for (const observation of [...seen, ...sendStatusSeen]) {
    expect(observation, observation.where).toMatchObject({
      traceId,
      spanId: serverSpan.spanContext().spanId,
      baggage: { 'tenant.id': 't_a' },
    });
  }
  expect(sendStatusSeen).toHaveLength(1);
}

describe('each call kind keeps one trace and an active context in the handler', () => {
  test('unary', async () => {
    const { traceId, result } = await underParent(() => sayAsync(client, 'hi'));
    expect(result.value).toBe('hi');
    expectOneTrace('Say', traceId, ['say:sync', 'say:after-await']);
  });

  test('server streaming', async () => {
    const { traceId, result } = await underParent(() => collectStream(client.stream({ value: 'x' })));
    expect(result).toEqual(['x-0', 'x-1', 'x-2']);
    expectOneTrace('Stream', traceId, ['stream:sync', 'stream:after-await-0', 'stream:after-await-2']);
  });

  test('client streaming', async () => {
    const { traceId, result } = await underParent(() => collectAsync(client, ['a', 'b', 'c']));
    expect(result.value).toBe('a,b,c');
    expectOneTrace('Collect', traceId, ['collect:sync', 'collect:data', 'collect:end', 'collect:after-await']);
    expect(seen.filter((o) => o.where === 'collect:data')).toHaveLength(3);
  });

  test('bidi streaming', async () => {
    const { traceId, result } = await underParent(() => chatAsync(client, ['a', 'b']));
    expect(result).toEqual(['a', 'b']);
    expectOneTrace('Chat', traceId, ['chat:sync', 'chat:data', 'chat:after-await', 'chat:end']);
  });
});

test('spans carry the current RPC semantic conventions (old names by default)', async () => {
  await underParent(() => sayAsync(client, 'hi'));
  const clientSpan = telemetry.span('tracehop.fixture.Echo/Say', SpanKind.CLIENT);
  const serverSpan = telemetry.span('tracehop.fixture.Echo/Say', SpanKind.SERVER);
  const [host, port] = running.address.split(':');
  expect(clientSpan.attributes).toEqual({
    'rpc.system': 'grpc',
    'rpc.service': 'tracehop.fixture.Echo',
    'rpc.method': 'Say',
    'rpc.grpc.status_code': 0,
    'server.address': host,
    'server.port': Number(port),
  });
  expect(serverSpan.attributes).toEqual({
    'rpc.system': 'grpc',
    'rpc.service': 'tracehop.fixture.Echo',
    'rpc.method': 'Say',
    'rpc.grpc.status_code': 0,
  });
  expect(clientSpan.instrumentationScope.name).toBe('@tracehop/grpc');
});
