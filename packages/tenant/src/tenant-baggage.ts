import { context as otelContext, propagation, type BaggageEntry, type Context } from '@opentelemetry/api';
import { invalidTenantIdError, isTenantId, TENANT_BAGGAGE_KEY } from './tenant-id.js';

/**
 * Returns a new context whose baggage carries `tenantId` under `tenant.id`,
 * keeping every other entry. Throws a `TypeError` when the ID is not a valid
 * tenant ID, because the ID comes from your code (the authenticated
 * principal), and a name or e-mail address in baggage would be copied to
 * every downstream service and log line; better a loud failure in
 * development than a quiet leak in production.
 *
 * What throws: a factory given options that cannot work, when it is called
 * (a `TypeError` naming the option), and `setTenant` given an invalid tenant
 * ID; nothing else throws, whatever a request carries.
 *
 * The tenant is made the *first* baggage member: tracehop trims what it sends
 * to the W3C limits by keeping the first members, so the tenant survives even
 * when callers sent a full header.
 */
export function setTenant(context: Context, tenantId: string): Context {
  if (!isTenantId(tenantId)) throw invalidTenantIdError(tenantId);
  const entries: Record<string, BaggageEntry> = { [TENANT_BAGGAGE_KEY]: { value: tenantId } };
  for (const [key, entry] of propagation.getBaggage(context)?.getAllEntries() ?? []) {
    if (key !== TENANT_BAGGAGE_KEY) entries[key] = entry;
  }
  return propagation.setBaggage(context, propagation.createBaggage(entries));
}

/**
 * The tenant ID in `context`'s baggage (the active context by default), or
 * `undefined`. A missing, malformed or garbled value counts as absent; this
 * never throws.
 */
export function getTenant(context: Context = otelContext.active()): string | undefined {
  const value = propagation.getBaggage(context)?.getEntry(TENANT_BAGGAGE_KEY)?.value;
  return isTenantId(value) ? value : undefined;
}
