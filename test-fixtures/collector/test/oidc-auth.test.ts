// The `oidc-auth.yaml` overlay (a collector with nothing in front that checks
// callers: a VM, GKE), for real: the collector
// reads a loopback issuer's JWKS (public_keys_file) and refuses an export
// without a token, with an expired one, a wrong audience, a wrong issuer or a
// key it does not know (401); a valid ID token gets through. The services get
// their tokens as on Cloud Run: @tracehop/gcp's googleIdTokenHeaders asking a
// fake metadata server (real protocol) on loopback. Services exporting with a
// refused token, or with none, keep serving every request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { googleIdTokenHeaders } from '@tracehop/gcp';
import { applyEnv, createIssuer, startFakeMetadataServer, type FakeMetadataServer, type MetadataMode } from '@tracehop/fixture-gcp-fakes';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readSpanFile, startSingleTier, startTracedStack, validToken, type ExportHeaders, type LoopbackCollector } from '../src/index.js';
import { postQuery } from './graphql.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
let collector: LoopbackCollector;
let metadata: FakeMetadataServer;
let restoreEnv: () => void;

beforeAll(async () => {
  collector = await startSingleTier({ oidc: true });
  metadata = await startFakeMetadataServer({ issuer: collector.issuer });
  // google-auth-library (inside googleIdTokenHeaders) finds the metadata server through these.
  restoreEnv = applyEnv(metadata.env());
});
afterAll(async () => {
  restoreEnv?.();
  await metadata?.close();
  await collector?.stop();
});

const EMPTY_EXPORT = JSON.stringify({ resourceSpans: [] });

async function exportWith(authorization?: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${collector.otlpHttpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: EMPTY_EXPORT,
  });
  return { status: response.status, body: await response.text() };
}

test('a valid Google-style ID token (issuer, audience, unexpired, known key) is accepted', async () => {
  expect(await exportWith(`Bearer ${collector.token()}`)).toMatchObject({ status: 200 });
});

test('no token, an expired one, a wrong audience, a wrong issuer, a foreign key: all refused with 401', async () => {
  const { issuer, audience } = collector;
  const past = Math.floor(Date.now() / 1000) - 600;
  // Same issuer URL, its own key: what a forger without Google's key could make.
  const impostor = createIssuer({ issuer: issuer.issuer });
  const cases: Record<string, string | undefined> = {
    'no header': undefined,
    'not a bearer token': 'Basic dXNlcjpwYXNz',
    'garbage token': 'Bearer not.a.jwt',
    expired: `Bearer ${issuer.sign({ aud: audience, iat: past - 3600, exp: past })}`,
    'wrong audience': `Bearer ${validToken(issuer, 'https://some-other-service.test')}`,
    'wrong issuer': `Bearer ${issuer.sign({ aud: audience, iss: 'https://evil.test', iat: past, exp: past + 7200 })}`,
    'foreign signing key': `Bearer ${validToken(impostor, audience)}`,
  };
  const statuses: Record<string, number> = {};
  for (const [name, authorization] of Object.entries(cases)) statuses[name] = (await exportWith(authorization)).status;
  expect(statuses).toEqual(Object.fromEntries(Object.keys(cases).map((name) => [name, 401])));
});

test('issue 21 finding 2: oidc checks identity, not permission: any Google account minting a token for the audience gets in', async () => {
  const now = Math.floor(Date.now() / 1000);
  const stranger = collector.issuer.sign({ aud: collector.audience, email: 'anyone@some-other-project.iam.gserviceaccount.com', sub: '1', iat: now, exp: now + 600 });
  expect((await exportWith(`Bearer ${stranger}`)).status).toBe(200);
});

async function withMetadataMode<T>(mode: MetadataMode, run: () => Promise<T>): Promise<T> {
  await metadata.setMode(mode);
  try {
    return await run();
  } finally {
    await metadata.setMode('normal');
  }
}

test('services whose token is refused or missing keep serving; their spans are refused; a token from the metadata server gets them through', async () => {
  const scenarios: Record<string, { mode: MetadataMode; headers: () => ExportHeaders & { shutdown?: () => void } }> = {
    'no token configured': { mode: 'normal', headers: () => ({}) },
    'token for another audience': { mode: 'normal', headers: () => googleIdTokenHeaders({ audience: 'https://some-other-service.test' }) },
    'metadata server hands out expired tokens': { mode: 'expired', headers: () => googleIdTokenHeaders({ audience: collector.audience, maxWaitMs: 500 }) },
    'metadata server down': { mode: 'down', headers: () => googleIdTokenHeaders({ audience: collector.audience, maxWaitMs: 500 }) },
  };
  for (const [name, scenario] of Object.entries(scenarios)) {
    await withMetadataMode(scenario.mode, async () => {
      const headers = scenario.headers();
      const stack = await startTracedStack({ collectorUrl: collector.otlpHttpUrl, kotlin: false, headers });
      try {
        // hospital_a is on the allow-list: had the collector accepted these spans, it would keep them.
        for (let i = 0; i < 20; i++) {
          const response = await postQuery(stack.bffViaNode.url, 'p-1', 'token-hospital-a');
          expect(response.status, name).toBe(200);
          expect(response.body.errors, name).toBeUndefined();
        }
        const errors = await stack.flush();
        expect(errors.length, name).toBeGreaterThan(0);
        expect(JSON.stringify(errors.flat()), name).toContain('401');
      } finally {
        await stack.stop();
        headers.shutdown?.();
      }
    });
  }

  // A fresh metadata server for the count: google-auth-library may still be retrying a
  // fetch for a source shut down above (its own retries are not cancellable).
  const fresh = await startFakeMetadataServer({ issuer: collector.issuer });
  const restoreFresh = applyEnv(fresh.env());
  const headers = googleIdTokenHeaders({ audience: collector.audience });
  const stack = await startTracedStack({ collectorUrl: collector.otlpHttpUrl, kotlin: false, headers });
  try {
    for (let i = 0; i < 20; i++) expect((await postQuery(stack.bffViaNode.url, 'p-1', 'token-hospital-a')).status).toBe(200);
    expect(await stack.flush()).toEqual([]);
    const produced = stack.produced();
    const traceIds = new Set(produced.map((s) => s.traceId));
    await waitFor(async () => (await readSpanFile(collector.tracesFile)).filter((s) => traceIds.has(s.traceId)).length === produced.length, 10_000);
    // Two services, many exports, one token fetch.
    expect(fresh.fetchCount(collector.audience)).toBe(1);
    // Nothing from the refused exports ever reached the sink: only these 20 traces are there.
    const kept = await readSpanFile(collector.tracesFile);
    expect(new Set(kept.map((s) => s.traceId))).toEqual(traceIds);
  } finally {
    await stack.stop();
    headers.shutdown();
    restoreFresh();
    await fresh.close();
  }
}, 50_000);

async function waitFor(ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('production key path: with no JWKS file the collector discovers the issuer\'s keys (/.well-known/openid-configuration -> jwks_uri) at start', async () => {
  const issuerServer = createServer();
  await new Promise<void>((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
  const issuer = createIssuer({ issuer: base });
  const requested: string[] = [];
  issuerServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    requested.push(req.url ?? '');
    const body =
      req.url === '/.well-known/openid-configuration'
        ? { issuer: base, jwks_uri: `${base}/jwks`, id_token_signing_alg_values_supported: ['RS256'] }
        : req.url === '/jwks'
          ? issuer.jwks
          : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
  });
  const discovering = await startSingleTier({ oidc: true, env: { OIDC_ISSUER: base, OIDC_JWKS_FILE: '' } });
  try {
    const post = (authorization: string) =>
      fetch(`${discovering.otlpHttpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: EMPTY_EXPORT });
    expect((await post(`Bearer ${validToken(issuer, discovering.audience)}`)).status).toBe(200);
    expect((await post(`Bearer ${validToken(issuer, 'https://some-other-service.test')}`)).status).toBe(401);
    expect((await post(`Bearer ${discovering.token()}`)).status).toBe(401); // signed by a key the issuer does not publish
    expect(requested).toContain('/.well-known/openid-configuration');
  } finally {
    await discovering.stop();
    issuerServer.close();
  }
});
