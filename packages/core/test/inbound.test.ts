import { createContextKey, diag, DiagLogLevel, propagation, ROOT_CONTEXT, trace, type TextMapPropagator } from '@opentelemetry/api';
import fc from 'fast-check';
import { afterEach, expect, test, vi } from 'vitest';
import { compileTrustPolicy, createPropagator, headersGetter, type HeadersLike, type TrustPolicy } from '../src/index.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const headers = { traceparent: TRACEPARENT, tracestate: 'v=1', baggage: 'tenant.id=evil,k=v' };

function continueTrace(carrier: HeadersLike, policy: TrustPolicy<unknown> = {}, acceptBaggage = true, propagator?: TextMapPropagator, request?: unknown) {
  return compileTrustPolicy(policy, { acceptBaggage, propagator }).continueTrace(ROOT_CONTEXT, carrier, headersGetter, request);
}

afterEach(() => diag.disable());

test('trusted: continues the remote trace, baggage per acceptBaggage', () => {
  const kept = continueTrace(headers);
  expect(kept.trusted).toBe(true);
  expect(trace.getSpanContext(kept.context)?.spanId).toBe('b7ad6b7169203331');
  expect(propagation.getBaggage(kept.context)?.getAllEntries().map(([k]) => k)).toEqual(['tenant.id', 'k']);

  const dropped = continueTrace(headers, {}, false);
  expect(propagation.getBaggage(dropped.context)).toBeUndefined();
  expect(trace.getSpanContext(dropped.context)?.traceState?.serialize()).toBe('v=1');

  const listed = continueTrace(headers, { acceptBaggage: ['k'] }, false);
  expect(propagation.getBaggage(listed.context)?.getAllEntries().map(([k]) => k)).toEqual(['k']);
});

test('untrusted: the base context, a link to the remote span, no baggage', () => {
  const policy = compileTrustPolicy({ trustTraceContext: (req: { internal: boolean }) => req.internal }, { acceptBaggage: true });
  const result = policy.continueTrace(ROOT_CONTEXT, headers, headersGetter, { internal: false });
  expect(result.trusted).toBe(false);
  expect(result.context).toBe(ROOT_CONTEXT);
  expect(result.links).toEqual([
    { context: expect.objectContaining({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' }), attributes: { 'tracehop.link.reason': 'untrusted_caller' } },
  ]);
  const unlinked = continueTrace(headers, { trustTraceContext: false, linkUntrusted: false });
  expect(unlinked.links).toEqual([]);
  expect(unlinked.remote?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
});

test("continues on the caller's base context: its other values survive, its span and baggage are replaced", () => {
  const other = createContextKey('some.library.value');
  const localSpan = trace.wrapSpanContext({ traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), traceFlags: 1 });
  const base = propagation.setBaggage(
    trace.setSpan(ROOT_CONTEXT.setValue(other, 'kept'), localSpan),
    propagation.createBaggage({ stale: { value: '1' } }),
  );
  const policy = compileTrustPolicy({}, { acceptBaggage: true });

  const trusted = policy.continueTrace(base, headers, headersGetter, undefined);
  expect(trusted.context.getValue(other)).toBe('kept');
  expect(trace.getSpanContext(trusted.context)?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  expect(propagation.getBaggage(trusted.context)?.getEntry('stale')).toBeUndefined();

  const untrusted = compileTrustPolicy({ trustTraceContext: false }, { acceptBaggage: true }).continueTrace(base, headers, headersGetter, undefined);
  expect(untrusted.context.getValue(other)).toBe('kept');
  expect(trace.getSpan(untrusted.context)).toBeUndefined();
  expect(propagation.getBaggage(untrusted.context)).toBeUndefined();

  const noHeaders = policy.continueTrace(base, {}, headersGetter, undefined);
  expect(trace.getSpan(noHeaders.context)).toBeUndefined();
  expect(noHeaders.context.getValue(other)).toBe('kept');
});

test('Fetch Headers and Node header records read alike', () => {
  const fromFetch = continueTrace(new Headers(headers));
  const fromNode = continueTrace({ ...headers, 'x-other': ['a', 'b'] });
  expect(trace.getSpanContext(fromFetch.context)).toEqual(trace.getSpanContext(fromNode.context));
  expect(headersGetter.keys(new Headers(headers)).sort()).toEqual(['baggage', 'traceparent', 'tracestate']);
});

test('a throwing propagator or predicate gives a fresh context and one diag warning naming the culprit, never an exception', () => {
  const warn = vi.fn();
  diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() }, DiagLogLevel.WARN);
  const throwing: TextMapPropagator = { inject: () => undefined, extract: () => { throw new Error('boom'); }, fields: () => ['traceparent'] };
  expect(continueTrace(headers, {}, true, throwing).context).toBe(ROOT_CONTEXT);
  expect(warn).toHaveBeenLastCalledWith('tracehop: reading the inbound trace context threw; the request starts a new trace (boom)');

  expect(propagation.getBaggage(continueTrace(headers, { acceptBaggage: () => { throw new Error('bug'); } }, false).context)).toBeUndefined();
  expect(warn).toHaveBeenLastCalledWith('tracehop: the acceptBaggage predicate threw; the entry is dropped (bug)');

  const untrusted = continueTrace(headers, { trustTraceContext: () => { throw new Error('oops'); } });
  expect(untrusted.trusted).toBe(false);
  expect(warn).toHaveBeenLastCalledWith('tracehop: the trustTraceContext predicate threw; the caller is treated as untrusted (oops)');
});

test('property: arbitrary header values never throw and never yield an invalid remote', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom('traceparent', 'tracestate', 'baggage', 'x-cloud-trace-context'), fc.oneof(fc.string(), fc.array(fc.string()))), (carrier) => {
      const result = continueTrace(carrier);
      if (result.remote) expect(result.remote.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    }),
  );
});

test.each([
  ['joined by Node', { traceparent: `cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x, ${'00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'}`, tracestate: 'a=1' }],
  ['as two values', { traceparent: [TRACEPARENT, TRACEPARENT], tracestate: 'a=1' }],
])('a repeated traceparent (%s) is invalid: no remote context, tracestate not read', (_how, carrier) => {
  const result = continueTrace(carrier);
  expect(result.remote).toBeUndefined();
  expect(trace.getSpanContext(result.context)).toBeUndefined();
});

test('a repeated traceparent leaves the other headers readable (X-Cloud-Trace-Context, baggage)', () => {
  const result = continueTrace(
    { traceparent: `${TRACEPARENT}, ${TRACEPARENT}`, 'x-cloud-trace-context': '1af7651916cd43dd8448eb211c80319c/1;o=1', baggage: 'k=v' },
    {},
    true,
    createPropagator({ cloudTraceContext: true }),
  );
  expect(result.remote?.traceId).toBe('1af7651916cd43dd8448eb211c80319c');
  expect(propagation.getBaggage(result.context)?.getEntry('k')?.value).toBe('v');
});

test('applyBaggagePolicy: an untrusted caller keeps no baggage, a trusted one what acceptBaggage allows', () => {
  const withBaggage = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ a: { value: '1' }, b: { value: '2' } }));
  const listed = compileTrustPolicy({ acceptBaggage: ['a'] }, { acceptBaggage: false });
  expect(propagation.getBaggage(listed.applyBaggagePolicy(withBaggage, undefined))?.getAllEntries().map(([k]) => k)).toEqual(['a']);
  const untrusted = compileTrustPolicy({ trustTraceContext: false, acceptBaggage: true }, { acceptBaggage: true });
  expect(propagation.getBaggage(untrusted.applyBaggagePolicy(withBaggage, undefined))).toBeUndefined();
  expect(listed.applyBaggagePolicy(ROOT_CONTEXT, undefined)).toBe(ROOT_CONTEXT);
});

test('linkTrustedAs: a trusted caller is the parent and also a link, with that reason', () => {
  const result = continueTrace(headers, { linkTrustedAs: 'cloud_run_front_end' });
  expect(result.trusted).toBe(true);
  expect(trace.getSpanContext(result.context)?.spanId).toBe('b7ad6b7169203331');
  expect(result.links).toEqual([
    { context: expect.objectContaining({ spanId: 'b7ad6b7169203331' }), attributes: { 'tracehop.link.reason': 'cloud_run_front_end' } },
  ]);
  expect(continueTrace(headers).links).toEqual([]);
});
