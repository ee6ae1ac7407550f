import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { compileTrustPolicy, headersGetter } from '../src/index.js';
import { parseTraceState } from '../src/tracestate.js';

const TRACEPARENT = '00-12345678901234567890123456789012-1234567890123456-01';

test.each([
  ['foo@=1,bar=2', 'foo@=1,bar=2'],
  ['foo@@bar=1,bar=2', 'foo@@bar=1,bar=2'],
  [['foo=1', `${'z'.repeat(256)}=1`], `foo=1,${'z'.repeat(256)}=1`],
  [`${'t'.repeat(241)}@${'v'.repeat(14)}=1`, `${'t'.repeat(241)}@${'v'.repeat(14)}=1`],
  ['a=1 ,\t b=2,,c=3', 'a=1,b=2,c=3'],
  ['a=1,a=2', 'a=1'],
  ['v= x', 'v= x'],
])('keeps a valid tracestate whole: %j', (header, serialized) => {
  expect(parseTraceState(header)?.serialize()).toBe(serialized);
});

test.each([
  '@foo=1,bar=2',
  `foo=1,${'z'.repeat(257)}=1`,
  'foo=bar=baz',
  'foo=,bar=3',
  'Foo=1',
  'foo=1 x,=2',
  'foo',
  Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(','),
  '',
  ' , ',
])('discards an invalid tracestate whole: %j', (header) => {
  expect(parseTraceState(header)).toBeUndefined();
});

test('32 members across several headers are kept; 33 are not', () => {
  const members = Array.from({ length: 33 }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${i}`);
  expect(parseTraceState([members.slice(0, 10).join(','), members.slice(10, 32).join(',')])?.serialize().split(',')).toHaveLength(32);
  expect(parseTraceState([members.slice(0, 10).join(','), members.slice(10).join(',')])).toBeUndefined();
});

test('set and unset return new states, most recent first', () => {
  const state = parseTraceState('a=1,b=2')!;
  expect(state.set('b', '3').serialize()).toBe('b=3,a=1');
  expect(state.unset('a').serialize()).toBe('b=2');
  expect(state.serialize()).toBe('a=1,b=2');
  expect(state.get('b')).toBe('2');
});

test('the inbound path applies it: an invalid tracestate is dropped, the trace kept', () => {
  const policy = compileTrustPolicy({}, { acceptBaggage: true });
  const valid = policy.continueTrace(ROOT_CONTEXT, { traceparent: TRACEPARENT, tracestate: 'foo@=1,bar=2' }, headersGetter, undefined);
  expect(trace.getSpanContext(valid.context)?.traceState?.serialize()).toBe('foo@=1,bar=2');
  const invalid = policy.continueTrace(ROOT_CONTEXT, { traceparent: TRACEPARENT, tracestate: 'foo=bar=baz,ok=1' }, headersGetter, undefined);
  expect(trace.getSpanContext(invalid.context)).toMatchObject({ traceId: '12345678901234567890123456789012', traceState: undefined });
  const none = policy.continueTrace(ROOT_CONTEXT, { traceparent: TRACEPARENT }, headersGetter, undefined);
  expect(trace.getSpanContext(none.context)?.traceState).toBeUndefined();
  expect(trace.getSpanContext(policy.continueTrace(ROOT_CONTEXT, { tracestate: 'a=1' }, headersGetter, undefined).context)).toBeUndefined();
  expect(ROOT_CONTEXT).toBeDefined();
});

const key = fc.stringMatching(/^[0-9a-z][_0-9a-z\-*/@]{0,20}$/);
const value = fc.stringMatching(/^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,10}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/);

test('property: a serialized valid state parses back to itself', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.tuple(key, value), { minLength: 1, maxLength: 32, selector: ([k]) => k }), (members) => {
      const header = members.map(([k, v]) => `${k}=${v}`).join(',');
      expect(parseTraceState(header)?.serialize()).toBe(header);
    }),
  );
});

test('property: any string either parses into at most 32 valid members or is discarded, never throws', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 4 })), (header) => {
      const state = parseTraceState(header);
      if (state) expect(state.serialize().split(',').length).toBeLessThanOrEqual(32);
    }),
  );
});
