// The tenant factories check what they are given when they are called.
import { expect, test } from 'vitest';
import { acceptBaggageExceptTenant, TenantSpanProcessor, tenantFromAuth } from '../src/index.js';

test('tenantFromAuth needs a function, and says so at start-up', () => {
  expect(() => tenantFromAuth('principal.tenantId' as never)).toThrow(
    new TypeError('tenantFromAuth: argument "getTenantId" must be a function (graphqlContext) => string | undefined, got string "principal.tenantId"'),
  );
  expect(() => tenantFromAuth(undefined as never)).toThrow(/^tenantFromAuth: argument "getTenantId" must be a function .*, got undefined$/);
});

test('acceptBaggageExceptTenant takes what acceptBaggage takes', () => {
  expect(() => acceptBaggageExceptTenant('sentry-trace_id' as never)).toThrow(
    new TypeError(
      'acceptBaggageExceptTenant: argument "accept" must be a boolean, an array of baggage keys or a function (key, request) => boolean, got string "sentry-trace_id"',
    ),
  );
  expect(() => acceptBaggageExceptTenant(['sentry-trace_id'])).not.toThrow();
});

test('TenantSpanProcessor takes no options: one throws, rather than being ignored', () => {
  expect(() => new TenantSpanProcessor({ key: 'tenant.id' } as never)).toThrow(new TypeError('TenantSpanProcessor: unknown option "key"; it takes no options'));
  expect(() => new TenantSpanProcessor('tenant.id' as never)).toThrow(new TypeError('TenantSpanProcessor: options must be an object, got string "tenant.id"'));
  expect(() => new TenantSpanProcessor()).not.toThrow();
  expect(() => new TenantSpanProcessor({})).not.toThrow();
});
