import { context, propagation, ROOT_CONTEXT, trace, type TextMapPropagator } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterEach, expect, test } from 'vitest';
import { CloudTraceContextPropagator } from '../src/cloud-trace-propagator.js';
import { createPropagator } from '../src/index.js';
import { defaultPropagator, resolvePropagator } from '../src/propagator.js';

const getter = { keys: (c: Record<string, string>) => Object.keys(c), get: (c: Record<string, string>, k: string) => c[k] };
const setter = { set: (c: Record<string, string>, k: string, v: string) => (c[k] = v) };
const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: false };

afterEach(() => propagation.disable());

test('the default propagator writes W3C traceparent and baggage', () => {
  const ctx = propagation.setBaggage(trace.setSpanContext(ROOT_CONTEXT, spanContext), propagation.createBaggage({ 'tenant.id': { value: 't_a' } }));
  const carrier: Record<string, string> = {};
  defaultPropagator.inject(ctx, carrier, setter);
  expect(carrier).toEqual({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', baggage: 'tenant.id=t_a' });
  expect(defaultPropagator.fields().sort()).toEqual(['baggage', 'traceparent', 'tracestate']);
});

test('resolvePropagator prefers an explicit one, then the registered global, then the default', () => {
  const explicit: TextMapPropagator = { inject: () => undefined, extract: (c) => c, fields: () => ['x'] };
  expect(resolvePropagator(explicit)).toBe(explicit);
  expect(resolvePropagator()).toBe(defaultPropagator);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  expect(resolvePropagator()).toBe(propagation);
  expect(resolvePropagator().fields()).toEqual(['traceparent', 'tracestate']);
});

test('with cloudTraceContext, X-Cloud-Trace-Context is written, and traceparent wins on extract', () => {
  const propagator = createPropagator({ cloudTraceContext: true });
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpanContext(context.active(), spanContext), carrier, setter);
  expect(carrier['x-cloud-trace-context']).toBe('0af7651916cd43dd8448eb211c80319c/13235353014750950193;o=1');

  const both = { ...carrier, traceparent: '00-1111111111111111111111111111111a-2222222222222222-01' };
  expect(trace.getSpanContext(propagator.extract(ROOT_CONTEXT, both, getter))?.traceId).toBe('1111111111111111111111111111111a');
  const legacyOnly = { 'x-cloud-trace-context': carrier['x-cloud-trace-context']! };
  expect(trace.getSpanContext(propagator.extract(ROOT_CONTEXT, legacyOnly, getter))).toEqual({ ...spanContext, isRemote: true });
});

test.each([
  ['0af7651916cd43dd8448eb211c80319c/13235353014750950193;o=1', { spanId: 'b7ad6b7169203331', traceFlags: 1 }],
  ['0AF7651916CD43DD8448EB211C80319C/1;o=0', { spanId: '0000000000000001', traceFlags: 0 }],
  ['0af7651916cd43dd8448eb211c80319c/1', { spanId: '0000000000000001', traceFlags: 0 }],
  ['0af7651916cd43dd8448eb211c80319c/1;o=3', { spanId: '0000000000000001', traceFlags: 1 }],
])('X-Cloud-Trace-Context %s is read', (header, expected) => {
  const ctx = new CloudTraceContextPropagator().extract(ROOT_CONTEXT, { 'x-cloud-trace-context': header }, getter);
  expect(trace.getSpanContext(ctx)).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', isRemote: true, ...expected });
});

test.each([
  '0af7651916cd43dd8448eb211c80319c/0;o=1', // zero span: the deprecated Google propagator accepted it
  '00000000000000000000000000000000/1;o=1',
  '0af7651916cd43dd8448eb211c80319c/18446744073709551616;o=1', // 2^64
  '0af7651916cd43dd8448eb211c80319c;o=1',
  '0af7651916cd43dd8448eb211c80319/1;o=1',
  'garbage',
  '',
])('X-Cloud-Trace-Context %j is ignored', (header) => {
  const ctx = new CloudTraceContextPropagator().extract(ROOT_CONTEXT, { 'x-cloud-trace-context': header }, getter);
  expect(trace.getSpanContext(ctx)).toBeUndefined();
});
