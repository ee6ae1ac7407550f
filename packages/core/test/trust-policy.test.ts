import { propagation, ROOT_CONTEXT, trace, type TextMapPropagator } from '@opentelemetry/api';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { compileTrustPolicy, createPropagator, extractInbound, headersGetter } from '../src/index.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const headers = { traceparent: TRACEPARENT, tracestate: 'v=1', baggage: 'tenant.id=evil,k=v' };

test('trusted: continues the remote trace, baggage per acceptBaggage', () => {
  const kept = extractInbound(headers, headersGetter, compileTrustPolicy({}, { acceptBaggage: true }), undefined);
  expect(kept.trusted).toBe(true);
  expect(trace.getSpanContext(kept.context)?.spanId).toBe('b7ad6b7169203331');
  expect(propagation.getBaggage(kept.context)?.getAllEntries().map(([k]) => k)).toEqual(['tenant.id', 'k']);

  const dropped = extractInbound(headers, headersGetter, compileTrustPolicy({}, { acceptBaggage: false }), undefined);
  expect(propagation.getBaggage(dropped.context)).toBeUndefined();
  expect(trace.getSpanContext(dropped.context)?.traceState?.serialize()).toBe('v=1');

  const listed = extractInbound(headers, headersGetter, compileTrustPolicy({ acceptBaggage: ['k'] }, { acceptBaggage: false }), undefined);
  expect(propagation.getBaggage(listed.context)?.getAllEntries().map(([k]) => k)).toEqual(['k']);
});

test('untrusted: root context, a link to the remote span, no baggage', () => {
  const result = extractInbound(
    headers,
    headersGetter,
    compileTrustPolicy({ trustTraceContext: (req: { internal: boolean }) => req.internal }, { acceptBaggage: true }),
    { internal: false },
  );
  expect(result.trusted).toBe(false);
  expect(result.context).toBe(ROOT_CONTEXT);
  expect(result.links).toEqual([
    { context: expect.objectContaining({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' }), attributes: { 'tracehop.link.reason': 'untrusted_caller' } },
  ]);
  const unlinked = extractInbound(headers, headersGetter, compileTrustPolicy({ trustTraceContext: false, linkUntrusted: false }, { acceptBaggage: true }), undefined);
  expect(unlinked.links).toEqual([]);
  expect(unlinked.remote?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
});

test('Fetch Headers and Node header records read alike', () => {
  const policy = compileTrustPolicy({}, { acceptBaggage: true });
  const fromFetch = extractInbound(new Headers(headers), headersGetter, policy, undefined);
  const fromNode = extractInbound({ ...headers, 'x-other': ['a', 'b'] }, headersGetter, policy, undefined);
  expect(trace.getSpanContext(fromFetch.context)).toEqual(trace.getSpanContext(fromNode.context));
  expect(headersGetter.keys(new Headers(headers)).sort()).toEqual(['baggage', 'traceparent', 'tracestate']);
});

test('a throwing propagator or baggage predicate gives a fresh context, never an exception', () => {
  const throwing: TextMapPropagator = { inject: () => undefined, extract: () => { throw new Error('boom'); }, fields: () => [] };
  expect(extractInbound(headers, headersGetter, compileTrustPolicy({}, { acceptBaggage: true }), undefined, throwing).context).toBe(ROOT_CONTEXT);
  const badPredicate = compileTrustPolicy({ acceptBaggage: () => { throw new Error('bug'); } }, { acceptBaggage: false });
  expect(propagation.getBaggage(extractInbound(headers, headersGetter, badPredicate, undefined).context)).toBeUndefined();
});

test('property: arbitrary header values never throw and never yield an invalid remote', () => {
  const policy = compileTrustPolicy({}, { acceptBaggage: true });
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom('traceparent', 'tracestate', 'baggage', 'x-cloud-trace-context'), fc.oneof(fc.string(), fc.array(fc.string()))), (carrier) => {
      const result = extractInbound(carrier, headersGetter, policy, undefined);
      if (result.remote) expect(result.remote.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    }),
  );
});

test.each([
  ['joined by Node', { traceparent: `cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x, ${'00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'}`, tracestate: 'a=1' }],
  ['as two values', { traceparent: [TRACEPARENT, TRACEPARENT], tracestate: 'a=1' }],
])('a repeated traceparent (%s) is invalid: no remote context, tracestate not read', (_how, carrier) => {
  const result = extractInbound(carrier, headersGetter, compileTrustPolicy({}, { acceptBaggage: true }), undefined);
  expect(result.remote).toBeUndefined();
  expect(trace.getSpanContext(result.context)).toBeUndefined();
});

test('a repeated traceparent leaves the other headers readable (X-Cloud-Trace-Context, baggage)', () => {
  const result = extractInbound(
    { traceparent: `${TRACEPARENT}, ${TRACEPARENT}`, 'x-cloud-trace-context': '1af7651916cd43dd8448eb211c80319c/1;o=1', baggage: 'k=v' },
    headersGetter,
    compileTrustPolicy({}, { acceptBaggage: true }),
    undefined,
    createPropagator({ cloudTraceContext: true }),
  );
  expect(result.remote?.traceId).toBe('1af7651916cd43dd8448eb211c80319c');
  expect(propagation.getBaggage(result.context)?.getEntry('k')?.value).toBe('v');
});
