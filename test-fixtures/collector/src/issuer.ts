// A loopback OIDC issuer: an RS256 key pair made in memory, its JWKS written to
// a file for the collector's `oidc` `public_keys_file` (no discovery, offline),
// and tokens signed with node:crypto. Same shape as the gcp-fakes issuer
// (`sign(claims)`, `jwks`, `writeJwks(dir)`).
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Claims a test puts in a token; `iss`, `iat`, `exp` default from the issuer. */
export type Claims = Record<string, unknown> & { aud?: string; exp?: number; iss?: string; sub?: string };

export interface TestIssuer {
  /** The `iss` every token carries unless overridden. */
  readonly url: string;
  /** The public key set, `{ keys: [RSA JWK] }`. */
  readonly jwks: { keys: Record<string, unknown>[] };
  /** A compact RS256 JWT; `exp` defaults to one hour from now. */
  sign(claims: Claims): string;
  /** Writes `jwks.json` into `dir` and returns its path. */
  writeJwks(dir: string): Promise<string>;
}

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/** Options for {@link createTestIssuer}. */
export interface TestIssuerOptions {
  /**
   * The issuer URL (`iss`); Google's ID tokens carry this one.
   * @default 'https://accounts.google.com'
   */
  url?: string;
  /** Sign with this key instead of the issuer's own (a foreign key the JWKS does not list). */
  privateKey?: KeyObject;
}

export function createTestIssuer(options: TestIssuerOptions = {}): TestIssuer {
  const url = options.url ?? 'https://accounts.google.com';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] };
  const signingKey = options.privateKey ?? privateKey;
  return {
    url,
    jwks,
    sign(claims) {
      const now = Math.floor(Date.now() / 1000);
      const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
      const payload = base64url(JSON.stringify({ iss: url, iat: now, exp: now + 3600, sub: 'test-service-account', ...claims }));
      const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(signingKey);
      return `${header}.${payload}.${base64url(signature)}`;
    },
    async writeJwks(dir) {
      const path = join(dir, 'jwks.json');
      await writeFile(path, JSON.stringify(jwks));
      return path;
    },
  };
}
