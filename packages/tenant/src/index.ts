// What the README's API section lists, and nothing else.
export { isTenantId, TENANT_ATTRIBUTE, TENANT_BAGGAGE_KEY, TENANT_ID_PATTERN } from './tenant-id.js';
export { getTenant, setTenant } from './tenant-baggage.js';
export { acceptBaggageExceptTenant, isTenantKey, withoutClientTenant } from './client-tenant.js';
export { tenantFromAuth } from './tenant-from-auth.js';
export { TenantSpanProcessor } from './tenant-span-processor.js';
