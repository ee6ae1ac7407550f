// The bearer check of a Google API, against the fake metadata server's token
// registry (Google looks a bearer token up at Google; here the server that
// handed it out plays that role). Refusals as google-errors.ts describes them.
import type { FakeMetadataServer } from '@tracehop/fixture-gcp-fakes';
import * as errors from './google-errors.js';

export type Caller = { email: string; scopes: string[] };

/** The caller behind an `Authorization` header, or Google's refusal. */
export function authenticate(authorization: string | undefined, metadata: FakeMetadataServer): Caller | errors.GoogleError {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return errors.credentialsMissing();
  const token = match[1]!;
  // An ID token (a JWT) is not an access token: Google answers ACCESS_TOKEN_TYPE_UNSUPPORTED.
  if (/^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(token)) return errors.invalidCredentials('ACCESS_TOKEN_TYPE_UNSUPPORTED');
  const info = metadata.accessTokenInfo(token);
  if (!info || info.revoked) return errors.invalidCredentials();
  if (info.expiresAtMs <= Date.now()) return errors.invalidCredentials('ACCESS_TOKEN_EXPIRED');
  return { email: info.email, scopes: info.scopes };
}
