/** The one baggage key (and span attribute) that carries the tenant. */
export const TENANT_BAGGAGE_KEY = 'tenant.id';

/** Span attribute name for the tenant: the same name as the baggage key, so one search finds both. */
export const TENANT_ATTRIBUTE = 'tenant.id';

/**
 * What a tenant ID may look like: an opaque, pseudonymous identifier of 1–64
 * characters, lower-case letters, digits, `_` and `-`, starting with a letter
 * or digit. Narrow on purpose: no spaces, capitals, dots, `@` or apostrophes
 * means no hospital names, e-mail addresses or free text can get through, and
 * every value is safe in a header, a log line and a span attribute as it is.
 */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Whether `value` is a well-formed tenant ID (see {@link TENANT_ID_PATTERN}). */
export function isTenantId(value: unknown): value is string {
  return typeof value === 'string' && TENANT_ID_PATTERN.test(value);
}

/** The error `setTenant` throws, explaining the rule so the fix is obvious. */
export function invalidTenantIdError(value: unknown): TypeError {
  const shown = typeof value === 'string' ? `"${value.length > 80 ? `${value.slice(0, 80)}…` : value}"` : typeof value;
  return new TypeError(
    `tracehop: invalid tenant ID ${shown}. A tenant ID must be an opaque identifier matching ${TENANT_ID_PATTERN} ` +
      '(1-64 characters: a-z, 0-9, "_" or "-", starting with a letter or digit). Never a name or personal data: ' +
      'it travels in the W3C baggage header to every downstream service and into logs.',
  );
}
