// The single-tier Cloud Run collector's `oidc` auth, for real: the collector
// reads a loopback issuer's JWKS (public_keys_file) and refuses an export
// without a token, with an expired one, a wrong audience, a wrong issuer or a
// key it does not know (401); a valid ID token gets through. The services
// exporting with a refused token keep serving every request.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { readSpanFile, startSingleTier, startTracedStack, type LoopbackCollector } from '../src/index.js';
import { postQuery } from './graphql.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
let collector: LoopbackCollector;

beforeAll(async () => {
  collector = await startSingleTier();
});
afterAll(async () => {
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
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const { createTestIssuer } = await import('../src/index.js');
  const impostor = createTestIssuer({ url: issuer.url, privateKey: foreign });
  const cases: Record<string, string | undefined> = {
    'no header': undefined,
    'not a bearer token': 'Basic dXNlcjpwYXNz',
    'garbage token': 'Bearer not.a.jwt',
    expired: `Bearer ${issuer.sign({ aud: audience, iat: past - 3600, exp: past })}`,
    'wrong audience': `Bearer ${issuer.sign({ aud: 'https://some-other-service.test' })}`,
    'wrong issuer': `Bearer ${issuer.sign({ aud: audience, iss: 'https://evil.test' })}`,
    'foreign signing key': `Bearer ${impostor.sign({ aud: audience })}`,
  };
  const statuses: Record<string, number> = {};
  for (const [name, authorization] of Object.entries(cases)) statuses[name] = (await exportWith(authorization)).status;
  expect(statuses).toEqual(Object.fromEntries(Object.keys(cases).map((name) => [name, 401])));
});

test('services exporting with a refused token keep serving; their spans are refused, then a valid token gets them through', async () => {
  const badTokens = {
    none: undefined,
    expired: collector.issuer.sign({ aud: collector.audience, exp: Math.floor(Date.now() / 1000) - 60 }),
    'wrong audience': collector.issuer.sign({ aud: 'https://some-other-service.test' }),
  };
  for (const [name, token] of Object.entries(badTokens)) {
    const stack = await startTracedStack({
      collectorUrl: collector.otlpHttpUrl,
      kotlin: false,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    try {
      // hospital_a is on the allow-list: had the collector accepted these spans, it would keep them.
      for (let i = 0; i < 20; i++) {
        const response = await postQuery(stack.bffViaNode.url, 'p-1', 'token-hospital-a');
        expect(response.status, name).toBe(200);
        expect(response.body.errors, name).toBeUndefined();
      }
      const errors = await stack.flush();
      expect(errors.length, name).toBeGreaterThan(0);
      expect(JSON.stringify(errors.flat(), (_key, value: unknown) => value), name).toContain('401');
    } finally {
      await stack.stop();
    }
  }

  const stack = await startTracedStack({ collectorUrl: collector.otlpHttpUrl, kotlin: false, headers: async () => ({ authorization: `Bearer ${collector.token()}` }) });
  try {
    await postQuery(stack.bffViaNode.url, 'p-1', 'token-hospital-a');
    expect(await stack.flush()).toEqual([]);
    const produced = stack.produced();
    const traceId = produced[0]!.traceId;
    await waitFor(async () => (await readSpanFile(collector.tracesFile)).filter((s) => s.traceId === traceId).length === produced.length, 10_000);
  } finally {
    await stack.stop();
  }
  // Nothing from the refused exports ever reached the sink: only the one accepted trace is there.
  const kept = await readSpanFile(collector.tracesFile);
  expect(new Set(kept.map((s) => s.traceId)).size).toBe(1);
}, 45_000);

async function waitFor(ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
