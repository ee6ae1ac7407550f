// Issue 23.2: third-party code that runs on a call (the tracer an SDK
// provides, the span it returns, a propagator's header values) never fails
// the call. Each failure is contained by core's neverThrow: the call goes on
// as it would without that piece, and diag warns once per occurrence.
import { context, diag, DiagLogLevel, trace, type Span, type TextMapPropagator, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest';
import { createClient, createTelemetry, observingHandlers, sayAsync, startServer, useAsyncContext, type Observation, type RunningServer } from './harness.js';

useAsyncContext();
const telemetry = createTelemetry();
const warn = vi.fn();
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const callerSpan = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags: 1 });

/** A provider whose tracer throws on startSpan, or whose spans throw on end. */
function brokenProvider(broken: 'startSpan' | 'end'): TracerProvider {
  const real = telemetry.provider.getTracer('broken');
  const tracer: Tracer = {
    startSpan(name, options, parent) {
      if (broken === 'startSpan') throw new Error('the SDK broke');
      const span = real.startSpan(name, options, parent);
      return Object.assign(Object.create(span) as Span, {
        end: () => {
          throw new Error('the exporter broke');
        },
      });
    },
    startActiveSpan: real.startActiveSpan.bind(real) as Tracer['startActiveSpan'],
  };
  return { getTracer: () => tracer };
}

const seen: Observation[] = [];
let running: RunningServer;
beforeAll(async () => {
  diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() }, DiagLogLevel.WARN);
  running = await startServer(observingHandlers(seen), { tracerProvider: brokenProvider('startSpan') });
});
afterAll(async () => {
  await running.stop();
  diag.disable();
});
afterEach(() => {
  seen.length = 0;
  warn.mockClear();
});

const warnings = () => warn.mock.calls.map(([message]) => String(message));

test.each(['startSpan', 'end'] as const)('a tracer whose %s throws: the call succeeds and carries the caller trace on', async (broken) => {
  const client = createClient(running.address, { tracerProvider: brokenProvider(broken) });
  const reply = await context.with(trace.setSpan(context.active(), callerSpan), () => sayAsync(client, 'hello'));
  client.close();
  expect(reply.value).toBe('hello');
  // The server's tracer throws on startSpan: the handler still runs in the caller's trace.
  expect(seen.find((observation) => observation.where === 'say:sync')?.traceId).toBe(TRACE_ID);
  expect(warnings()).toContain('tracehop: the tracer threw starting a span; the operation runs without it (the SDK broke)');
  if (broken === 'end') {
    expect(warnings()).toContain('tracehop: ending the CLIENT span threw; the call completes as it would without it (the exporter broke)');
  }
});

test('a header value grpc-js refuses costs that header only, with a warning', async () => {
  // A propagator that writes a value with a newline (grpc-js throws on it) next to a valid traceparent.
  const w3c = new W3CTraceContextPropagator();
  const sloppy: TextMapPropagator = {
    inject(ctx, carrier, setter) {
      w3c.inject(ctx, carrier, setter);
      setter.set(carrier, 'x-vendor', 'line\nbreak');
    },
    extract: (ctx, carrier, getter) => w3c.extract(ctx, carrier, getter),
    fields: () => [...w3c.fields(), 'x-vendor'],
  };
  const client = createClient(running.address, { tracerProvider: telemetry.provider, propagator: sloppy });
  await context.with(trace.setSpan(context.active(), callerSpan), () => sayAsync(client, 'x'));
  client.close();
  expect(seen.find((observation) => observation.where === 'say:sync')?.traceId).toBe(TRACE_ID);
  expect(warnings().some((message) => message.startsWith('tracehop: grpc-js refused a header value the propagator wrote;'))).toBe(true);
});
