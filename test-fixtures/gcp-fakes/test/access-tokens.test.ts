// Access tokens from the fake metadata server, fetched by the real
// google-auth-library the way a Cloud Run app (or the collector's Go client)
// does, and checked the way a Google API checks them.
import { GoogleAuth } from 'google-auth-library';
import { afterEach, expect, test } from 'vitest';
import { createIssuer } from '../src/index.js';
import { useFakeMetadataServer } from '../src/vitest.js';

const fake = useFakeMetadataServer({ issuer: createIssuer(), serviceAccountEmail: 'collector@tracehop-test.iam.gserviceaccount.com' });
const TRACE_APPEND = 'https://www.googleapis.com/auth/trace.append';

afterEach(async () => {
  await fake.server.setMode('normal');
  fake.server.setAccessTokenLifetime(3599);
  fake.server.resetCounts();
});

test('google-auth-library gets a cloud-platform access token for the service account; the registry knows it until it is revoked', async () => {
  const token = await new GoogleAuth().getAccessToken();
  expect(token).toMatch(/^ya29\./);
  expect(fake.server.accessTokenFetchCount()).toBe(1);
  const info = fake.server.accessTokenInfo(token!);
  expect(info).toMatchObject({ email: 'collector@tracehop-test.iam.gserviceaccount.com', scopes: ['https://www.googleapis.com/auth/cloud-platform'], revoked: false });
  expect(info!.expiresAtMs).toBeGreaterThan(Date.now() + 3_500_000);
  expect(fake.server.accessTokenInfo('ya29.never-issued')).toBeUndefined();
  fake.server.revokeAccessTokens();
  expect(fake.server.accessTokenInfo(token!)?.revoked).toBe(true);
});

test('the requested scopes are what the token carries', async () => {
  const token = await new GoogleAuth({ scopes: [TRACE_APPEND, 'https://www.googleapis.com/auth/monitoring.write'] }).getAccessToken();
  expect(fake.server.accessTokenInfo(token!)?.scopes).toEqual([TRACE_APPEND, 'https://www.googleapis.com/auth/monitoring.write']);
});

test('the raw answer has the fields Go and Node clients require, and the lifetime set', async () => {
  fake.server.setAccessTokenLifetime(120);
  const response = await fetch(`http://${fake.server.host}/computeMetadata/v1/instance/service-accounts/default/token?scopes=${encodeURIComponent(TRACE_APPEND)}`, {
    headers: { 'Metadata-Flavor': 'Google' },
  });
  expect(response.headers.get('metadata-flavor')).toBe('Google');
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toEqual({ access_token: expect.stringMatching(/^ya29\./), expires_in: 120, token_type: 'Bearer' });
  expect(fake.server.issuedAccessTokens.at(-1)).toBe(body['access_token']);
  // Without the flavor header the real server refuses, and so does this one.
  expect((await fetch(`http://${fake.server.host}/computeMetadata/v1/instance/service-accounts/default/token`)).status).toBe(403);
});

test('in expired mode the client gets a token the API will refuse; unavailable answers 503', async () => {
  await fake.server.setMode('expired');
  const response = await fetch(`http://${fake.server.host}/computeMetadata/v1/instance/service-accounts/default/token`, { headers: { 'Metadata-Flavor': 'Google' } });
  const { access_token: token } = (await response.json()) as { access_token: string };
  expect(fake.server.accessTokenInfo(token)!.expiresAtMs).toBeLessThan(Date.now());
  await fake.server.setMode('unavailable');
  const unavailable = await fetch(`http://${fake.server.host}/computeMetadata/v1/instance/service-accounts/default/token`, { headers: { 'Metadata-Flavor': 'Google' } });
  expect(unavailable.status).toBe(503);
});
