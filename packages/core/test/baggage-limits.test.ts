import { baggageEntryMetadataFromString, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { limitBaggage } from '../src/baggage-limits.js';
import { compileOutbound } from '../src/index.js';
import { defaultPropagator } from '../src/propagator.js';

const setter = { set: (c: Record<string, string>, k: string, v: string) => (c[k] = v) };

function contextWith(entries: [string, string][]) {
  return propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage(Object.fromEntries(entries.map(([k, v]) => [k, { value: v }]))));
}

test('within limits, the very same context comes back (no allocation on the hot path)', () => {
  const ctx = contextWith([['tenant.id', 't_a']]);
  expect(limitBaggage(ctx)).toBe(ctx);
  expect(limitBaggage(ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
});

test('200 members are cut to the first 64', () => {
  const ctx = limitBaggage(contextWith(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v'])));
  const keys = propagation.getBaggage(ctx)!.getAllEntries().map(([k]) => k);
  expect(keys).toEqual(Array.from({ length: 64 }, (_, i) => `k${i}`));
});

test('an oversized member is dropped whole and a later small one still fits', () => {
  const ctx = limitBaggage(contextWith([['a', 'x'.repeat(5000)], ['b', 'y'.repeat(5000)], ['c', 'z']]), { maxMembers: 64, maxBytes: 8192 });
  expect(propagation.getBaggage(ctx)!.getAllEntries().map(([k]) => k)).toEqual(['a', 'c']);
});

test('a caller cannot raise the limits above W3C', () => {
  const carrier: Record<string, string> = {};
  const outbound = compileOutbound({ baggageLimits: { maxMembers: 500, maxBytes: 1e6 } });
  outbound.inject(contextWith(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v'])), carrier, setter);
  expect(carrier.baggage!.split(',')).toHaveLength(64);
});

test('property: the injected header always fits the limits and holds only whole members', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 600 })), { maxLength: 120 }),
      fc.integer({ min: 16, max: 8192 }),
      (entries, maxBytes) => {
        const input = contextWith(entries);
        const carrier: Record<string, string> = {};
        defaultPropagator.inject(limitBaggage(input, { maxMembers: 64, maxBytes }), carrier, setter);
        const header = carrier.baggage ?? '';
        expect(header.length).toBeLessThanOrEqual(maxBytes);
        const members = header === '' ? [] : header.split(',');
        expect(members.length).toBeLessThanOrEqual(64);
        const sent = propagation.getBaggage(input)!;
        for (const member of members) {
          const [key, value] = member.split('=').map(decodeURIComponent);
          expect(sent.getEntry(key!)?.value).toBe(value);
        }
      },
    ),
  );
});

test('a member that cannot be sent as valid W3C baggage costs only itself', () => {
  const ctx = propagation.setBaggage(
    ROOT_CONTEXT,
    propagation.createBaggage({
      'tenant.id': { value: 't_a' },
      '(bad)key': { value: 'v' },
      tabbed: { value: 'v', metadata: baggageEntryMetadataFromString('a\tb') },
      latin1: { value: 'v', metadata: baggageEntryMetadataFromString('p\u00b6') },
      fine: { value: 'v', metadata: baggageEntryMetadataFromString('prop=1;flag') },
      // A broken percent-escape: W3C-valid, but a Java receiver drops the member with a stack trace.
      badEscape: { value: 'v', metadata: baggageEntryMetadataFromString('%ZZ') },
      badEscapeValue: { value: 'v', metadata: baggageEntryMetadataFromString('p=%4') },
      goodEscape: { value: 'v', metadata: baggageEntryMetadataFromString('p=%41') },
    }),
  );
  const carrier: Record<string, string> = {};
  defaultPropagator.inject(limitBaggage(ctx), carrier, setter);
  expect(carrier.baggage).toBe('tenant.id=t_a,fine=v;prop=1;flag,goodEscape=v;p=%41');
});
