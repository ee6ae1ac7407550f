import { diag, type Context } from '@opentelemetry/api';
import { neverThrow, type ContextEnricher } from '@tracehop/core';
import { checkArgument, isFunction } from '@tracehop/core/internal';
import { withoutClientTenant } from './client-tenant.js';
import { setTenant } from './tenant-baggage.js';
import { isTenantId } from './tenant-id.js';
import type { TenantIdSource } from './types.js';

/**
 * Builds the trusted-edge enrichment for `useTraceContext({ enrich })`: first
 * removes every tenant-namespace entry the client sent in its baggage, then
 * sets the tenant from the authenticated request (or none).
 *
 * ```ts
 * useTraceContext({ enrich: tenantFromAuth((ctx) => ctx.principal?.tenantId) })
 * ```
 *
 * A `getTenantId` that is not a function throws a `TypeError` here, at
 * start-up. The enricher runs per request, so it never throws: a throwing
 * `getTenantId`, or one that returns something that is not a valid tenant ID,
 * leaves the request with no tenant and reports it through `diag.warn`.
 */
export function tenantFromAuth<GraphQLContext = unknown>(getTenantId: TenantIdSource<GraphQLContext>): ContextEnricher<GraphQLContext> {
  checkArgument('tenantFromAuth', 'getTenantId', getTenantId, isFunction('(graphqlContext) => string | undefined'));
  return (otelContext: Context, graphqlContext: GraphQLContext): Context => {
    const stripped = withoutClientTenant(otelContext);
    const tenantId: unknown = neverThrow(getTenantId, undefined, GET_TENANT_ID_THREW, graphqlContext);
    if (tenantId === undefined || tenantId === null) return stripped;
    if (!isTenantId(tenantId)) {
      // Not echoed: it may be exactly the personal data that must not spread.
      diag.warn('tracehop: getTenantId returned an invalid tenant ID; the request carries no tenant');
      return stripped;
    }
    return setTenant(stripped, tenantId);
  };
}

const GET_TENANT_ID_THREW = 'getTenantId threw; the request carries no tenant';
