import { diag, DiagLogLevel, propagation, ROOT_CONTEXT, type DiagLogger } from '@opentelemetry/api';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { ContextEnricher } from '@tracehop/core';
import { getTenant, setTenant, tenantFromAuth } from '../src/index.js';

interface GraphQLContext {
  principal?: { tenantId?: string };
}
const enrich = tenantFromAuth<GraphQLContext>((ctx) => ctx.principal?.tenantId);
const clientBaggage = (header: Record<string, string>) =>
  propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage(Object.fromEntries(Object.entries(header).map(([k, v]) => [k, { value: v }]))));
const baggageOf = (ctx: ReturnType<typeof clientBaggage>) =>
  Object.fromEntries((propagation.getBaggage(ctx)?.getAllEntries() ?? []).map(([key, entry]) => [key, entry.value]));

function captureDiag(): ReturnType<typeof vi.fn> {
  const warn = vi.fn();
  const logger: DiagLogger = { error: vi.fn(), warn, info: vi.fn(), debug: vi.fn(), verbose: vi.fn() };
  diag.setLogger(logger, DiagLogLevel.WARN);
  return warn;
}
afterEach(() => diag.disable());

describe('tenantFromAuth', () => {
  test("replaces the client's tenant entries with the authenticated one; other entries stay", () => {
    const ctx = enrich(clientBaggage({ 'tenant.id': 'evil', 'TENANT.ID': 'evil2', 'sentry-trace_id': 'abc' }), { principal: { tenantId: 't_a' } });
    expect(baggageOf(ctx)).toEqual({ 'tenant.id': 't_a', 'sentry-trace_id': 'abc' });
  });

  test('an unauthenticated request gets no tenant at all, not the spoofed one', () => {
    expect(getTenant(enrich(clientBaggage({ 'tenant.id': 'evil' }), {}))).toBeUndefined();
    expect(getTenant(enrich(setTenant(ROOT_CONTEXT, 't_b'), {}))).toBeUndefined();
  });

  test('never throws per request: a throwing source or an invalid ID means no tenant, reported via diag', () => {
    const warn = captureDiag();
    const throwing = tenantFromAuth(() => {
      throw new Error('auth backend down');
    });
    expect(getTenant(throwing(clientBaggage({ 'tenant.id': 'evil' }), {}))).toBeUndefined();
    const invalid = enrich(clientBaggage({ 'tenant.id': 'evil' }), { principal: { tenantId: "St Mary's" } });
    expect(baggageOf(invalid)).toEqual({});
    expect(warn).toHaveBeenCalledTimes(2);
    // The invalid value itself is never echoed into diagnostics.
    expect(JSON.stringify(warn.mock.calls)).not.toContain('Mary');
  });

  test('null from the source means no tenant', () => {
    expect(getTenant(tenantFromAuth(() => null)(ROOT_CONTEXT, {}))).toBeUndefined();
  });

  test("fits the envelop plugin's enrich option type", () => {
    const enrichOption: (otelContext: typeof ROOT_CONTEXT, graphqlContext: any) => typeof ROOT_CONTEXT = enrich; // eslint-disable-line @typescript-eslint/no-explicit-any
    const typed: ContextEnricher<GraphQLContext> = enrichOption;
    expect(getTenant(typed(ROOT_CONTEXT, { principal: { tenantId: 't_a' } }))).toBe('t_a');
  });
});
