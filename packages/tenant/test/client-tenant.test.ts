import { propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { acceptBaggageExceptTenant, isTenantKey, withoutClientTenant } from '../src/index.js';

const withEntries = (entries: Record<string, string>) =>
  propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { value: v }]))));
const keysOf = (ctx: ReturnType<typeof withEntries>) => (propagation.getBaggage(ctx)?.getAllEntries() ?? []).map(([key]) => key);

describe('isTenantKey: the whole tenant namespace, however it is dressed up', () => {
  test.each(['tenant.id', 'tenant', 'tenant.name', 'tenant_id', 'tenant-id', 'TENANT.ID', 'Tenant.Id', ' tenant.id ', 'tenant%2Eid', 'tenant%2eid', 'tenant%252Eid', '%74enant.id'])(
    '%j is a tenant key',
    (key) => expect(isTenantKey(key)).toBe(true),
  );

  test.each(['tenants', 'x-tenant.id', 'sentry-trace_id', 'tenancy', 'id', 'ten%ZZ', 'user.id'])('%j is not', (key) =>
    expect(isTenantKey(key)).toBe(false),
  );

  test('property: never throws, and any key that lower-cases to tenant.* is caught', () => {
    fc.assert(fc.property(fc.string(), (key) => void isTenantKey(key)));
    fc.assert(
      fc.property(fc.string(), fc.boolean(), (suffix, upper) => {
        const key = `tenant.${suffix}`;
        return isTenantKey(upper ? key.toUpperCase() : key) && isTenantKey(encodeURIComponent(key).replace('.', '%2E'));
      }),
    );
  });
});

describe('withoutClientTenant', () => {
  test('removes every tenant-namespace entry and keeps the rest in order', () => {
    const ctx = withoutClientTenant(withEntries({ a: '1', 'tenant.id': 'evil', 'TENANT.ID': 'evil', tenant_id: 'evil', b: '2' }));
    expect(keysOf(ctx)).toEqual(['a', 'b']);
  });

  test('returns the same context when there is nothing to remove, and drops baggage that was only tenant', () => {
    const clean = withEntries({ a: '1' });
    expect(withoutClientTenant(clean)).toBe(clean);
    expect(withoutClientTenant(ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
    expect(propagation.getBaggage(withoutClientTenant(withEntries({ 'tenant.id': 'evil' })))).toBeUndefined();
  });
});

describe('acceptBaggageExceptTenant', () => {
  test('default: accepts every key except the tenant namespace', () => {
    const accept = acceptBaggageExceptTenant();
    expect(['sentry-trace_id', 'tenant.id', 'Tenant.ID', 'x'].map((key) => accept(key, undefined))).toEqual([true, false, false, true]);
  });

  test('a list accepts only those keys, and even a listed tenant key is refused', () => {
    const accept = acceptBaggageExceptTenant(['sentry-trace_id', 'tenant.id']);
    expect(['sentry-trace_id', 'tenant.id', 'x'].map((key) => accept(key, undefined))).toEqual([true, false, false]);
  });

  test('a predicate is consulted with the request, after the tenant check', () => {
    const accept = acceptBaggageExceptTenant<{ internal: boolean }>((_key, request) => request.internal);
    expect(accept('x', { internal: true })).toBe(true);
    expect(accept('x', { internal: false })).toBe(false);
    expect(accept('tenant.id', { internal: true })).toBe(false);
    expect(acceptBaggageExceptTenant(false)('x', undefined)).toBe(false);
  });
});
