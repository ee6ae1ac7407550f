// OAuth 2.0 access tokens as the metadata server hands them out, and the
// registry a loopback Google API checks them against (Google's own APIs look a
// bearer token up at Google; here the fake metadata server is that authority).
//
// Wire format, from the sources:
// - `GET /computeMetadata/v1/instance/service-accounts/default/token[?scopes=a,b]`
//   answers `{"access_token": "...", "expires_in": <seconds>, "token_type": "Bearer"}`;
//   without `scopes` the token has the cloud-platform scope; `scopes` is a
//   comma-separated list (https://cloud.google.com/kuberun/docs/securing/service-identity,
//   "Fetching access tokens"). golang.org/x/oauth2/google `computeSource.Token`
//   (v0.36.0, what the collector's googleclientauth uses) sends exactly that
//   query and refuses an answer without `access_token` or with `expires_in` 0.
// - Access tokens are opaque to clients (not JWTs); Google's start with `ya29.`.
import { randomBytes } from 'node:crypto';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** What a Google API learns about a bearer token (like Google's tokeninfo endpoint). */
export interface AccessTokenInfo {
  /** The service account the token was minted for. */
  email: string;
  /** The OAuth scopes granted. */
  scopes: string[];
  /** When it stops being accepted (ms since the epoch). */
  expiresAtMs: number;
  /** Revoked by `revokeAll()` before it expired. */
  revoked: boolean;
}

/** The JSON body of the metadata server's token answer. */
export interface AccessTokenResponse {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
}

export interface AccessTokenRegistry {
  /**
   * Mints a token for `scopes` (none: cloud-platform). `alreadyExpired` registers
   * it as expired while still telling the client `lifetimeSeconds` (a clock-skewed
   * or server-side-expired token the client believes in).
   */
  mint(scopes: string[], lifetimeSeconds: number, alreadyExpired?: boolean): AccessTokenResponse;
  /** The token's record, or undefined when this server never handed it out. */
  info(token: string): AccessTokenInfo | undefined;
  /** Every token handed out so far stops being accepted. */
  revokeAll(): void;
  /** Every token handed out, oldest first. */
  readonly issued: readonly string[];
}

export function createAccessTokenRegistry(email: string): AccessTokenRegistry {
  const tokens = new Map<string, AccessTokenInfo>();
  const issued: string[] = [];
  return {
    mint(scopes, lifetimeSeconds, alreadyExpired = false) {
      const token = `ya29.fake-${randomBytes(24).toString('base64url')}`;
      const expiresAtMs = alreadyExpired ? Date.now() - 60_000 : Date.now() + lifetimeSeconds * 1000;
      tokens.set(token, { email, scopes: scopes.length > 0 ? scopes : [CLOUD_PLATFORM_SCOPE], expiresAtMs, revoked: false });
      issued.push(token);
      return { access_token: token, expires_in: lifetimeSeconds, token_type: 'Bearer' };
    },
    info: (token) => tokens.get(token),
    revokeAll() {
      for (const info of tokens.values()) info.revoked = true;
    },
    issued,
  };
}

/** The `scopes` query parameter as a list (comma-separated; blanks dropped). */
export function parseScopes(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((scope) => scope.trim())
    .filter((scope) => scope.length > 0);
}
