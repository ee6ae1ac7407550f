import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import fc from 'fast-check';
import { baggageOf, useAsyncContext } from '@tracehop/testkit';
import { describe, expect, test } from 'vitest';
import { getTenant, isTenantId, setTenant, TENANT_BAGGAGE_KEY, TENANT_ID_PATTERN } from '../src/index.js';

useAsyncContext();
const validIds = fc.stringMatching(TENANT_ID_PATTERN);

describe('setTenant', () => {
  test('returns a new context with tenant.id, keeping other entries, the original untouched', () => {
    const original = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ 'sentry-trace_id': { value: 'abc' } }));
    const withTenant = setTenant(original, 't_a');
    expect(baggageOf(withTenant)).toEqual({ 'tenant.id': 't_a', 'sentry-trace_id': 'abc' });
    expect(baggageOf(original)).toEqual({ 'sentry-trace_id': 'abc' });
  });

  test('puts the tenant first (so trimming to the W3C limits, which keeps the first members, keeps it)', () => {
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, { value: 'v' }]));
    const ctx = setTenant(propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage(many)), 't_a');
    expect(propagation.getBaggage(ctx)!.getAllEntries()[0]).toEqual([TENANT_BAGGAGE_KEY, { value: 't_a' }]);
  });

  test('replaces an existing tenant instead of adding a second one', () => {
    const ctx = setTenant(setTenant(ROOT_CONTEXT, 't_old'), 't_new');
    expect(baggageOf(ctx)).toEqual({ 'tenant.id': 't_new' });
  });

  test.each([["St Mary's"], ['T_A'], ['a.b'], [''], [' t_a'], ['_leading'], ['x'.repeat(65)], ['jane@example.org'], ['t a']])(
    'rejects %j with a TypeError that explains the rule',
    (id) => {
      expect(() => setTenant(ROOT_CONTEXT, id)).toThrow(TypeError);
      expect(() => setTenant(ROOT_CONTEXT, id)).toThrow(/opaque identifier .* Never a name or personal data/);
    },
  );

  test('rejects non-strings (JavaScript callers)', () => {
    for (const id of [undefined, null, 42, {}, ['t_a']]) expect(() => setTenant(ROOT_CONTEXT, id as never)).toThrow(TypeError);
  });

  test('property: every string outside the pattern throws, every string inside round-trips', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (id) => {
        if (TENANT_ID_PATTERN.test(id)) expect(getTenant(setTenant(ROOT_CONTEXT, id))).toBe(id);
        else expect(() => setTenant(ROOT_CONTEXT, id)).toThrow(TypeError);
      }),
    );
    fc.assert(fc.property(validIds, (id) => getTenant(setTenant(ROOT_CONTEXT, id)) === id));
  });
});

describe('getTenant', () => {
  test('reads the active context by default', () => {
    expect(getTenant()).toBeUndefined();
    context.with(setTenant(ROOT_CONTEXT, 't_a'), () => expect(getTenant()).toBe('t_a'));
  });

  test.each([['St Mary\u2019s'], ['T_A'], ['evil value'], ['\uFFFD'], ['x'.repeat(65)]])('a malformed value %j counts as absent', (value) => {
    const ctx = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ 'tenant.id': { value } }));
    expect(getTenant(ctx)).toBeUndefined();
  });

  test('property: whatever baggage header arrives, getTenant never throws and returns a valid ID or nothing', () => {
    const propagator = new W3CBaggagePropagator();
    const headerParts = fc.oneof(fc.string(), fc.constantFrom('tenant.id=', 'tenant.id=t_a', '%ZZ', ',', ';', '=', 'tenant%2Eid=x', ' '));
    fc.assert(
      fc.property(fc.array(headerParts, { maxLength: 20 }), (parts) => {
        const header = parts.join('');
        const ctx = propagator.extract(ROOT_CONTEXT, { baggage: header }, { get: (c, k) => c[k as 'baggage'], keys: (c) => Object.keys(c) });
        const tenant = getTenant(ctx);
        expect(tenant === undefined || isTenantId(tenant)).toBe(true);
      }),
    );
  });

  test('tenant.id=%ZZ (a broken escape) and an empty value leave no tenant and no error', () => {
    const propagator = new W3CBaggagePropagator();
    for (const header of ['tenant.id=%ZZ', 'tenant.id=', 'tenant.id', 'tenant.id=%E0%A4%A']) {
      const ctx = propagator.extract(ROOT_CONTEXT, { baggage: header }, { get: (c, k) => c[k as 'baggage'], keys: (c) => Object.keys(c) });
      expect(getTenant(ctx), header).toBeUndefined();
    }
  });
});
