import { propagation, ROOT_CONTEXT, trace, TraceFlags, type TextMapPropagator } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { expect, test } from 'vitest';
import { compileTrustPolicy, headersGetter, injectOutbound } from '../src/index.js';
import { mergeBaggageLimits } from '../src/internal.js';

const setter = { set: (c: Record<string, string>, k: string, v: string) => (c[k] = v) };
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const tracer = new BasicTracerProvider().getTracer('test');

function inbound(flags: string, trusted = true) {
  return compileTrustPolicy({ trustTraceContext: trusted }, { acceptBaggage: true }).continueTrace(
    ROOT_CONTEXT,
    { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-${flags}` },
    headersGetter,
    undefined,
  );
}

function outboundTraceparent(context = ROOT_CONTEXT, options = {}) {
  const carrier: Record<string, string> = {};
  injectOutbound(context, carrier, setter, options);
  return carrier;
}

test.each([
  ['02', '02'],
  ['03', '03'],
])('Level 2: an incoming random flag (%s) stays on every traceparent of that trace, through an SDK child span', (incoming, sent) => {
  const { context } = inbound(incoming);
  const sampled = incoming === '03';
  const child = tracer.startSpan('child', {}, context);
  // The SDK keeps only its sampling decision in the child's flags...
  expect(child.spanContext().traceFlags & 0x02).toBe(0);
  const traceparent = outboundTraceparent(trace.setSpan(context, child)).traceparent!;
  // ...tracehop writes the flag back for the trace ID that arrived with it.
  expect(traceparent).toBe(`00-${TRACE_ID}-${child.spanContext().spanId}-${sampled ? sent : '02'}`);
  expect(child.spanContext().traceFlags & 0x02).toBe(0);
});

test('Level 2: incoming flags ff (unknown bits set) go out as 03 at most: sampled and random, nothing else', () => {
  const { context } = inbound('ff');
  const child = tracer.startSpan('child', {}, context);
  expect(outboundTraceparent(trace.setSpan(context, child)).traceparent).toBe(`00-${TRACE_ID}-${child.spanContext().spanId}-03`);
});

test('with no SDK, the caller span context goes on with its reserved flag bits cleared', () => {
  expect(outboundTraceparent(inbound('ff').context).traceparent).toBe(`00-${TRACE_ID}-00f067aa0ba902b7-03`);
  expect(outboundTraceparent(inbound('fd').context).traceparent).toBe(`00-${TRACE_ID}-00f067aa0ba902b7-01`);
  expect(outboundTraceparent(inbound('09').context).traceparent).toBe(`00-${TRACE_ID}-00f067aa0ba902b7-01`);
});

test('Level 2: never claims the random flag for a trace ID that did not arrive with it', () => {
  expect(outboundTraceparent(inbound('01').context).traceparent).toMatch(/-01$/);
  // Untrusted: a new trace, so the caller's random flag says nothing about it.
  expect(outboundTraceparent(inbound('03', false).context).traceparent).toBeUndefined();
  const restarted = tracer.startSpan('root', { root: true }, inbound('03').context);
  const written = outboundTraceparent(trace.setSpan(inbound('03').context, restarted)).traceparent!;
  expect(written.endsWith('-00') || written.endsWith('-01')).toBe(true);
});

test('sentryTrace writes sentry-trace for the same span, only when asked', () => {
  const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });
  const context = trace.setSpan(ROOT_CONTEXT, span);
  expect(outboundTraceparent(context)['sentry-trace']).toBeUndefined();
  expect(outboundTraceparent(context, { sentryTrace: true })['sentry-trace']).toBe(`${TRACE_ID}-00f067aa0ba902b7-1`);
  expect(outboundTraceparent(ROOT_CONTEXT, { sentryTrace: true })['sentry-trace']).toBeUndefined();
});

test('a throwing propagator never throws into the call', () => {
  const throwing: TextMapPropagator = { inject: () => { throw new Error('boom'); }, extract: (c) => c, fields: () => [] };
  expect(() => outboundTraceparent(ROOT_CONTEXT, { propagator: throwing })).not.toThrow();
});

test('forwardBaggage: false sends no baggage', () => {
  const context = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ 'tenant.id': { value: 'h' } }));
  expect(outboundTraceparent(context).baggage).toBe('tenant.id=h');
  expect(outboundTraceparent(context, { forwardBaggage: false }).baggage).toBeUndefined();
});

test('mergeBaggageLimits merges field by field and refuses nonsense at configuration time', () => {
  const defaults = { maxMembers: 64, maxBytes: 4096 };
  expect(mergeBaggageLimits(defaults, { maxMembers: 50 })).toEqual({ maxMembers: 50, maxBytes: 4096 });
  expect(mergeBaggageLimits(defaults, undefined)).toEqual(defaults);
  expect(mergeBaggageLimits(defaults, { maxBytes: undefined })).toEqual(defaults);
  expect(() => mergeBaggageLimits(defaults, { maxBytes: -1 })).toThrow(/maxBytes must be a non-negative integer/);
  expect(() => mergeBaggageLimits(defaults, { maxMembers: Number.NaN })).toThrow(RangeError);
});
