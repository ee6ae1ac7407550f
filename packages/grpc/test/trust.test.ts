import * as grpc from '@grpc/grpc-js';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createClient, createTelemetry, observingHandlers, sayAsync, startServer, useAsyncContext, type Observation, type RunningServer } from './harness.js';
import type { ServerInterceptorOptions } from '../src/index.js';

useAsyncContext();
const telemetry = createTelemetry();
const seen: Observation[] = [];
let running: RunningServer | undefined;

beforeEach(() => {
  telemetry.exporter.reset();
  seen.length = 0;
});
afterEach(async () => {
  await running?.stop();
});

async function callWith(serverOptions: ServerInterceptorOptions, metadata = new grpc.Metadata()) {
  running = await startServer(observingHandlers(seen), { tracerProvider: telemetry.provider, ...serverOptions });
  const client = createClient(running.address, { tracerProvider: telemetry.provider });
  const baggage = propagation.createBaggage({ 'tenant.id': { value: 't_a' }, 'user.email': { value: 'x@example.org' } });
  try {
    await context.with(propagation.setBaggage(context.active(), baggage), () => sayAsync(client, 'x', metadata));
  } finally {
    client.close();
  }
  return {
    clientSpan: telemetry.span('tracehop.fixture.Echo/Say', SpanKind.CLIENT),
    serverSpan: telemetry.span('tracehop.fixture.Echo/Say', SpanKind.SERVER),
  };
}

test('trusted by default: the server continues the trace and keeps baggage', async () => {
  const { clientSpan, serverSpan } = await callWith({});
  expect(serverSpan.spanContext().traceId).toBe(clientSpan.spanContext().traceId);
  expect(seen[0]!.baggage).toEqual({ 'tenant.id': 't_a', 'user.email': 'x@example.org' });
});

test('untrusted caller: new trace, linked to the remote span, baggage dropped', async () => {
  const { clientSpan, serverSpan } = await callWith({ trust: { trustTraceContext: false } });
  expect(serverSpan.spanContext().traceId).not.toBe(clientSpan.spanContext().traceId);
  expect(serverSpan.parentSpanContext).toBeUndefined();
  expect(serverSpan.links).toHaveLength(1);
  expect(serverSpan.links[0]!.context.traceId).toBe(clientSpan.spanContext().traceId);
  expect(serverSpan.links[0]!.context.spanId).toBe(clientSpan.spanContext().spanId);
  expect(seen[0]!.baggage).toEqual({});
  expect(seen[0]!.traceId).toBe(serverSpan.spanContext().traceId);
});

test('trust decided per call from the metadata and peer', async () => {
  const decisions: string[] = [];
  const metadata = new grpc.Metadata();
  metadata.set('x-internal', 'yes');
  const { clientSpan, serverSpan } = await callWith(
    {
      trust: {
        trustTraceContext: (call) => {
          decisions.push(call.peer);
          return call.metadata.get('x-internal')[0] === 'yes' && call.method.path === '/tracehop.fixture.Echo/Say';
        },
      },
    },
    metadata,
  );
  expect(decisions[0]).toMatch(/127\.0\.0\.1:\d+$/);
  expect(serverSpan.spanContext().traceId).toBe(clientSpan.spanContext().traceId);
});

test('acceptBaggage as an allow-list keeps only the listed keys', async () => {
  await callWith({ trust: { acceptBaggage: ['tenant.id'] } });
  expect(seen[0]!.baggage).toEqual({ 'tenant.id': 't_a' });
});

test('a throwing trust predicate counts as untrusted and the call still succeeds', async () => {
  const { clientSpan, serverSpan } = await callWith({
    trust: {
      trustTraceContext: () => {
        throw new Error('policy bug');
      },
    },
  });
  expect(serverSpan.spanContext().traceId).not.toBe(clientSpan.spanContext().traceId);
  expect(trace.getSpanContext(context.active())).toBeUndefined();
});
