// A loopback OIDC issuer: an RS256 key pair made with node:crypto, compact JWTs
// signed with it, and its public key as a JWKS (what the collector's `oidc`
// extension reads through `public_keys_file`, so it needs no discovery).
import { generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const GOOGLE_ISSUER = 'https://accounts.google.com';

/** Claims of a Google ID token (`format=full`); anything else may be added. */
export interface IdTokenClaims {
  iss?: string;
  aud?: string;
  sub?: string;
  email?: string;
  iat?: number;
  exp?: number;
  [claim: string]: unknown;
}

export interface Jwk {
  kty: string;
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

export interface Jwks {
  keys: Jwk[];
}

export type VerifyResult = { ok: true; claims: IdTokenClaims } | { ok: false; reason: string };

export interface Issuer {
  /** The `iss` claim this issuer stamps and `verify` requires. */
  readonly issuer: string;
  /** The key ID in every token header and in the JWKS. */
  readonly kid: string;
  readonly jwks: Jwks;
  /** A compact RS256 JWT; `iss` defaults to this issuer. Claims are taken as given (no defaults for exp/iat). */
  sign(claims: IdTokenClaims): string;
  /** Writes the JWKS to `<dir>/jwks-<kid>.json` and returns that path (for `public_keys_file`). */
  writeJwks(dir: string): string;
  /** Checks signature, `iss`, `exp` (and `aud` when given), as an OIDC relying party would. */
  verify(token: string, expected?: { audience?: string; nowSeconds?: number }): VerifyResult;
}

const base64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

export function createIssuer(options: { issuer?: string } = {}): Issuer {
  const issuer = options.issuer ?? GOOGLE_ISSUER;
  const kid = randomUUID();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; n: string; e: string };
  const jwks: Jwks = { keys: [{ kty: jwk.kty, n: jwk.n, e: jwk.e, kid, alg: 'RS256', use: 'sig' }] };

  return {
    issuer,
    kid,
    jwks,
    sign: (claims) => signJwt(privateKey, kid, { iss: issuer, ...claims }),
    writeJwks(dir) {
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `jwks-${kid}.json`);
      writeFileSync(path, JSON.stringify(jwks));
      return path;
    },
    verify: (token, expected = {}) => verifyJwt(token, publicKey, kid, issuer, expected),
  };
}

function signJwt(privateKey: KeyObject, kid: string, claims: IdTokenClaims): string {
  const signingInput = `${base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }))}.${base64url(JSON.stringify(claims))}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), privateKey).toString('base64url')}`;
}

function verifyJwt(
  token: string,
  publicKey: KeyObject,
  kid: string,
  issuer: string,
  expected: { audience?: string; nowSeconds?: number },
): VerifyResult {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'not a compact JWT' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: { alg?: string; kid?: string };
  let claims: IdTokenClaims;
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as typeof header;
    claims = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as IdTokenClaims;
  } catch {
    return { ok: false, reason: 'undecodable header or payload' };
  }
  if (header.alg !== 'RS256' || header.kid !== kid) return { ok: false, reason: 'unknown key or algorithm' };
  const signed = verify('sha256', Buffer.from(`${headerPart}.${payloadPart}`), publicKey, Buffer.from(signaturePart, 'base64url'));
  if (!signed) return { ok: false, reason: 'bad signature' };
  if (claims.iss !== issuer) return { ok: false, reason: `wrong issuer ${String(claims.iss)}` };
  const now = expected.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= now) return { ok: false, reason: 'expired' };
  if (expected.audience !== undefined && claims.aud !== expected.audience) return { ok: false, reason: `wrong audience ${String(claims.aud)}` };
  return { ok: true, claims };
}
