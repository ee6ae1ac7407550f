// The fakes driven by the real google-auth-library (and its gcp-metadata), the
// way an app on Cloud Run would use them, so they prove they speak its protocol.
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoogleAuth, gcpMetadata } from 'google-auth-library';
import { afterEach, describe, expect, test } from 'vitest';
import { applyEnv, createIssuer } from '../src/index.js';
import { useFakeMetadataServer } from '../src/vitest.js';

const AUDIENCE = 'https://collector-abc123-ew.a.run.app';
const issuer = createIssuer();
const fake = useFakeMetadataServer({ issuer, lifetimeSeconds: 600 });

afterEach(async () => {
  await fake.server.setMode('normal');
  fake.server.setLifetime(600);
  fake.server.resetCounts();
});

/** What an app does: a fresh GoogleAuth (it caches per instance), an ID token client, its headers. */
async function authorizationFromLibrary(audience = AUDIENCE): Promise<string | null> {
  const client = await new GoogleAuth().getIdTokenClient(audience);
  const headers = await client.getRequestHeaders();
  return headers.get('authorization');
}

describe('issuer', () => {
  test('signs RS256 JWTs with its kid that it verifies, and rejects tampering, foreign keys, wrong audience and expiry', () => {
    const now = Math.floor(Date.now() / 1000);
    const token = issuer.sign({ aud: AUDIENCE, iat: now, exp: now + 60, sub: 'me' });
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, string>;
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: issuer.kid });
    expect(issuer.verify(token, { audience: AUDIENCE })).toMatchObject({ ok: true, claims: { iss: 'https://accounts.google.com', aud: AUDIENCE } });
    expect(issuer.verify(token, { audience: 'https://other' })).toEqual({ ok: false, reason: 'wrong audience https://collector-abc123-ew.a.run.app' });
    expect(issuer.verify(token, { nowSeconds: now + 61 })).toEqual({ ok: false, reason: 'expired' });
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ aud: AUDIENCE, exp: now + 999, iss: issuer.issuer })).toString('base64url')}.${s}`;
    expect(issuer.verify(forged)).toEqual({ ok: false, reason: 'bad signature' });
    expect(issuer.verify(createIssuer().sign({ exp: now + 60 }))).toEqual({ ok: false, reason: 'unknown key or algorithm' });
    expect(issuer.verify('garbage')).toEqual({ ok: false, reason: 'not a compact JWT' });
  });

  test('writeJwks writes a JWKS file with the public key only', () => {
    const path = issuer.writeJwks(mkdtempSync(join(tmpdir(), 'jwks-')));
    const jwks = JSON.parse(readFileSync(path, 'utf8')) as { keys: Array<Record<string, string>> };
    expect(jwks).toEqual(issuer.jwks);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', kid: issuer.kid, alg: 'RS256', use: 'sig', e: 'AQAB' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  test('a custom issuer is stamped and required', () => {
    const custom = createIssuer({ issuer: 'http://127.0.0.1:1/issuer' });
    const token = custom.sign({ exp: Math.floor(Date.now() / 1000) + 60 });
    expect(custom.verify(token)).toMatchObject({ ok: true, claims: { iss: 'http://127.0.0.1:1/issuer' } });
  });
});

describe('metadata server through google-auth-library', () => {
  test('hands out a verifiable ID token with aud, iss, iat, exp, sub, email; one fetch per getRequestHeaders', async () => {
    const authorization = await authorizationFromLibrary();
    expect(authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const verified = issuer.verify(authorization!.slice('Bearer '.length), { audience: AUDIENCE });
    expect(verified.ok).toBe(true);
    const claims = (verified as { claims: Record<string, unknown> }).claims;
    expect(claims).toMatchObject({ iss: issuer.issuer, aud: AUDIENCE, email: 'exporter@tracehop-test.iam.gserviceaccount.com', sub: claims.email });
    expect((claims.exp as number) - (claims.iat as number)).toBe(600);
    expect(fake.server.fetchCount(AUDIENCE)).toBe(1);
    expect(fake.server.fetchCount()).toBe(1);
  });

  test('the library has no single flight: three concurrent first calls on one client make three fetches', async () => {
    const client = await new GoogleAuth().getIdTokenClient(AUDIENCE);
    await Promise.all([client.getRequestHeaders(), client.getRequestHeaders(), client.getRequestHeaders()]);
    expect(fake.server.fetchCount(AUDIENCE)).toBe(3);
  });

  test('answers the detection ping and the project ID the way gcp-metadata asks for them', async () => {
    const restore = applyEnv({ METADATA_SERVER_DETECTION: 'ping-only', GOOGLE_CLOUD_PROJECT: undefined, GCLOUD_PROJECT: undefined });
    try {
      gcpMetadata.resetIsAvailableCache();
      expect(await gcpMetadata.isAvailable()).toBe(true);
      expect(await new GoogleAuth().getProjectId()).toBe('tracehop-test');
    } finally {
      restore();
      gcpMetadata.resetIsAvailableCache();
    }
  });

  test('refuses requests without Metadata-Flavor: Google (403), like the real server', async () => {
    const response = await fetch(`http://${fake.server.host}/computeMetadata/v1/project/project-id`);
    expect(response.status).toBe(403);
    expect(response.headers.get('metadata-flavor')).toBe('Google');
  });

  test('wrong-flavor: the library rejects the answer', async () => {
    await fake.server.setMode('wrong-flavor');
    await expect(authorizationFromLibrary()).rejects.toThrow(/incorrect Metadata-Flavor header/);
  });

  test('garbage: the library passes a non-JWT body through as the token (callers must check it themselves)', async () => {
    await fake.server.setMode('garbage');
    expect(await authorizationFromLibrary()).toBe('Bearer <html>not a token</html>');
  });

  test('expired: the token verifies except for exp', async () => {
    await fake.server.setMode('expired');
    const token = (await authorizationFromLibrary())!.slice('Bearer '.length);
    expect(issuer.verify(token, { audience: AUDIENCE })).toEqual({ ok: false, reason: 'expired' });
  });

  test('unavailable: 503s, which the library retries three times (4 requests) and then rejects', async () => {
    await fake.server.setMode('unavailable');
    await expect(authorizationFromLibrary()).rejects.toThrow(/Could not fetch ID token/);
    expect(fake.server.fetchCount(AUDIENCE)).toBe(4);
  });

  test('down: connection refused; back to normal on the same port', async () => {
    await fake.server.setMode('down');
    await expect(authorizationFromLibrary()).rejects.toThrow(/ECONNREFUSED|Could not fetch ID token/);
    expect(fake.server.fetchCount()).toBe(0);
    await fake.server.setMode('normal');
    expect(await authorizationFromLibrary()).toMatch(/^Bearer /);
  });

  test('slow: answers only after the delay', async () => {
    await fake.server.setMode('slow', { delayMs: 400 });
    const started = performance.now();
    expect(await authorizationFromLibrary()).toMatch(/^Bearer /);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
  });

  test('setLifetime changes the exp of later tokens', async () => {
    fake.server.setLifetime(5);
    const token = (await authorizationFromLibrary())!.slice('Bearer '.length);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(5);
  });
});
