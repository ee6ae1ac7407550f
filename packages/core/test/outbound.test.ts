import { diag, DiagLogLevel, propagation, ROOT_CONTEXT, trace, TraceFlags, type TextMapPropagator } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, expect, test, vi } from 'vitest';
import { compileOutbound, compileTrustPolicy, headersGetter, injectOutbound, type OutboundOptions } from '../src/index.js';

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

afterEach(() => diag.disable());

function withMembers(count: number, value = 'v') {
  const entries = Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, { value }]));
  return propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage(entries));
}

function sentMembers(outbound: Parameters<typeof injectOutbound>[3], count = 100) {
  const carrier: Record<string, string> = {};
  injectOutbound(withMembers(count), carrier, setter, outbound);
  return carrier.baggage?.split(',').length ?? 0;
}

test('compileOutbound merges baggageLimits field by field over the hop defaults, never above W3C', () => {
  const hop = { baggageLimits: { maxMembers: 64, maxBytes: 40 } };
  // 5 bytes a member ("kN=v") plus commas: 40 bytes hold 8; maxMembers 3 keeps 3 and the hop's byte cap stays.
  expect(sentMembers(compileOutbound({ baggageLimits: { maxMembers: 3 } }, hop))).toBe(3);
  expect(sentMembers(compileOutbound({}, hop))).toBe(8);
  expect(sentMembers(compileOutbound({ baggageLimits: { maxBytes: undefined } }, hop))).toBe(8);
  expect(sentMembers(compileOutbound({ baggageLimits: { maxMembers: 1000, maxBytes: 1e9 } }))).toBe(64);
});

test.each([
  [{ baggageLimits: { maxMembers: -1 } }, 'compileOutbound: option "baggageLimits.maxMembers" must be a non-negative integer, got number -1'],
  [{ baggageLimits: { maxBytes: '4096' } }, 'compileOutbound: option "baggageLimits.maxBytes" must be a non-negative integer, got string "4096"'],
  [{ baggageLimits: { maxMembers: Number.NaN } }, 'compileOutbound: option "baggageLimits.maxMembers" must be a non-negative integer, got number NaN'],
  [{ baggageLimits: { maxMember: 5 } }, 'compileOutbound: unknown option "baggageLimits.maxMember"; did you mean "baggageLimits.maxMembers"?'],
  [{ forwardBaggage: 'no' }, 'compileOutbound: option "forwardBaggage" must be a boolean, got string "no"'],
])('compileOutbound refuses %j at configuration time with a TypeError naming the option', (options, message) => {
  expect(() => compileOutbound(options as OutboundOptions)).toThrow(new TypeError(message));
});

test('injectOutbound given { maxMembers: -1 } keeps the cap: no baggage at all, the trace context still goes, one warning', () => {
  const warn = vi.fn();
  diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() }, DiagLogLevel.WARN);
  const options = { baggageLimits: { maxMembers: -1 } };
  const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });
  for (let i = 0; i < 3; i++) {
    const carrier: Record<string, string> = {};
    injectOutbound(trace.setSpan(withMembers(100), span), carrier, setter, options);
    expect(carrier.baggage).toBeUndefined();
    expect(carrier.traceparent).toBe(`00-${TRACE_ID}-00f067aa0ba902b7-01`);
  }
  const about = warn.mock.calls.filter(([message]) => String(message).includes('injectOutbound'));
  expect(about).toHaveLength(1);
  expect(about[0]![0]).toContain('"baggageLimits.maxMembers" must be a non-negative integer, got number -1');
});

test('injectOutbound takes what compileOutbound returned, and options, each compiled once', () => {
  expect(sentMembers(compileOutbound({ baggageLimits: { maxMembers: 2 } }))).toBe(2);
  expect(sentMembers({ baggageLimits: { maxMembers: 5 } })).toBe(5);
  expect(sentMembers(undefined)).toBe(64);
});

test('fields() names every header inject may write, sentry-trace included when asked', () => {
  expect([...compileOutbound().fields()].sort()).toEqual(['baggage', 'traceparent', 'tracestate']);
  expect([...compileOutbound({ sentryTrace: true }).fields()].sort()).toEqual(['baggage', 'sentry-trace', 'traceparent', 'tracestate']);
  const throwing: TextMapPropagator = { inject: () => {}, extract: (c) => c, fields: () => { throw new Error('boom'); } };
  expect(compileOutbound({ propagator: throwing }).fields()).toEqual([]);
});
