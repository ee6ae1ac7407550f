// google-auth-library passes whatever the metadata server answered through as
// the token (an HTML error page included) and caches by `exp`; we read `exp`
// ourselves, both to refuse what is not a JWT and to schedule the refresh.

/** `exp` of a compact JWT in milliseconds, or `undefined` if it is not a JWT with a numeric `exp`. No signature check: the receiver does that. */
export function readJwtExpiryMs(token: unknown): number | undefined {
  if (typeof token !== 'string' || token.length > 16_384) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[\w-]+$/.test(part))) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    const exp = (payload as { exp?: unknown } | null)?.exp;
    const ms = typeof exp === 'number' ? exp * 1000 : Number.NaN;
    return Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}
