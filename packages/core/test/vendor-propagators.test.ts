// Vendors' own headers, read only when asked for (createPropagator options),
// with traceparent winning; and another propagator's trace state left alone.
import { ROOT_CONTEXT, trace, TraceFlags, type TextMapPropagator, type TraceState } from '@opentelemetry/api';
import { expect, test } from 'vitest';
import { compileTrustPolicy, createPropagator, headersGetter, type HeadersLike } from '../src/index.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const setter = { set: (c: Record<string, string>, k: string, v: string) => (c[k] = v) };

function remoteOf(headers: HeadersLike, propagator: TextMapPropagator) {
  return compileTrustPolicy({}, { acceptBaggage: true, propagator }).continueTrace(ROOT_CONTEXT, headers, headersGetter, undefined).remote;
}

test.each([
  [`${TRACE_ID}-${SPAN_ID}-1`, TraceFlags.SAMPLED],
  [`${TRACE_ID}-${SPAN_ID}-0`, TraceFlags.NONE],
  // Sentry's "deferred": a span context cannot say it; not sampled.
  [`${TRACE_ID}-${SPAN_ID}`, TraceFlags.NONE],
])('sentryTrace: %s is read as the remote parent', (header, flags) => {
  expect(remoteOf({ 'sentry-trace': header }, createPropagator({ sentryTrace: true }))).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: flags });
});

test('sentryTrace: off by default, a half or repeated header is ignored, and traceparent wins', () => {
  expect(remoteOf({ 'sentry-trace': `${TRACE_ID}-${SPAN_ID}-1` }, createPropagator())).toBeUndefined();
  const sentry = createPropagator({ sentryTrace: true });
  expect(remoteOf({ 'sentry-trace': `${TRACE_ID}-1` }, sentry)).toBeUndefined();
  expect(remoteOf({ 'sentry-trace': [`${TRACE_ID}-${SPAN_ID}-1`, `${TRACE_ID}-${SPAN_ID}-0`] }, sentry)).toBeUndefined();
  const other = 'a'.repeat(32);
  expect(remoteOf({ 'sentry-trace': `${other}-${SPAN_ID}-1`, traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` }, sentry)?.traceId).toBe(TRACE_ID);
});

test('sentryTrace: writes sentry-trace for the same span', () => {
  const carrier: Record<string, string> = {};
  const context = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
  createPropagator({ sentryTrace: true }).inject(context, carrier, setter);
  expect(carrier).toMatchObject({ 'sentry-trace': `${TRACE_ID}-${SPAN_ID}-1`, traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` });
});

test('datadog: x-datadog-* read as the remote parent (high bits from _dd.p.tid), never written', () => {
  const datadog = createPropagator({ datadog: true });
  const headers = {
    'x-datadog-trace-id': BigInt(`0x${TRACE_ID.slice(16)}`).toString(),
    'x-datadog-parent-id': BigInt(`0x${SPAN_ID}`).toString(),
    'x-datadog-sampling-priority': '1',
    'x-datadog-tags': `_dd.p.dm=-1,_dd.p.tid=${TRACE_ID.slice(0, 16)}`,
  };
  expect(remoteOf(headers, datadog)).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
  const lowOnly = remoteOf({ ...headers, 'x-datadog-tags': undefined, 'x-datadog-sampling-priority': '0' }, datadog);
  expect(lowOnly).toMatchObject({ traceId: `${'0'.repeat(16)}${TRACE_ID.slice(16)}`, traceFlags: TraceFlags.NONE });
  expect(remoteOf({ ...headers, 'x-datadog-parent-id': '0' }, datadog)).toBeUndefined();
  expect(remoteOf({ ...headers, 'x-datadog-trace-id': '18446744073709551616' }, datadog)).toBeUndefined();
  expect(remoteOf(headers, createPropagator())).toBeUndefined();
  const carrier: Record<string, string> = {};
  datadog.inject(trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 }), carrier, setter);
  expect(Object.keys(carrier).filter((key) => key.startsWith('x-datadog'))).toEqual([]);
});

test("another propagator's trace state is kept: the strict re-read is only for what came from the tracestate header", () => {
  // What Sentry's propagator does: the caller's sampling context, from baggage, in its own trace state.
  const sentryTraceState: TraceState = {
    get: (key) => (key === 'sentry.dsc' ? 'abc' : undefined),
    set: () => sentryTraceState,
    unset: () => sentryTraceState,
    serialize: () => 'sentry.dsc=abc',
  };
  const sentryLike: TextMapPropagator = {
    inject: () => undefined,
    fields: () => ['sentry-trace', 'baggage'],
    extract: (context) =>
      trace.setSpanContext(context, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true, traceState: sentryTraceState }),
  };
  expect(remoteOf({ 'sentry-trace': `${TRACE_ID}-${SPAN_ID}-1` }, sentryLike)?.traceState?.serialize()).toBe('sentry.dsc=abc');
  expect(remoteOf({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'dd=s:1' }, sentryLike)?.traceState?.serialize()).toBe('sentry.dsc=abc');
  // The W3C propagator's reading of an invalid header is still dropped whole.
  expect(remoteOf({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'foo=bar=baz,ok=1' }, createPropagator())?.traceState).toBeUndefined();
});
