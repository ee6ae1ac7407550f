// Issue 21, findings 1 and 2: the collector exactly as collector/config/cloud-run.yaml
// configures it, behind Cloud Run's front end (the loopback fake: Invoker IAM
// check, then the token's signature replaced by SIGNATURE_REMOVED_BY_GOOGLE
// before the container). The services get their ID tokens from the metadata
// server through @tracehop/gcp (the Java agent: a static token), and the
// roles/run.invoker bindings are the allow-list.
//
// Before this design the same set-up got 401 on every export: the config's
// oidc extension could not verify a token whose signature Google removed
// (commit 171b05a reproduced it; oidc-auth.yaml keeps that check for VMs/GKE).
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { googleIdTokenHeaders } from '@tracehop/gcp';
import { applyEnv, startCloudRunFrontEnd, startFakeMetadataServer, type CloudRunFrontEnd, type FakeMetadataServer } from '@tracehop/fixture-gcp-fakes';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { byTrace, readSpanFile, spanKeys, startSingleTier, startTracedStack, type ExportHeaders, type LoopbackCollector } from '../src/index.js';
import { postQuery } from './graphql.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const SERVICE_URL = 'https://otelcol-123456789012.europe-west1.run.app';
const NODE_SA = 'bff@tracehop-test.iam.gserviceaccount.com';
const KOTLIN_SA = 'patient-records@tracehop-test.iam.gserviceaccount.com';
let collector: LoopbackCollector;
let frontEnd: CloudRunFrontEnd;
let metadata: FakeMetadataServer;
let restoreEnv: () => void;

beforeAll(async () => {
  collector = await startSingleTier({ decisionWait: '1s' });
  // The issuer stands for accounts.google.com: Cloud Run trusts it; the collector trusts nothing.
  frontEnd = await startCloudRunFrontEnd({ issuer: collector.issuer, containerPort: Number(new URL(collector.otlpHttpUrl).port), invokers: [NODE_SA, KOTLIN_SA] });
  metadata = await startFakeMetadataServer({ issuer: collector.issuer, serviceAccountEmail: NODE_SA });
  restoreEnv = applyEnv(metadata.env());
});
afterAll(async () => {
  restoreEnv?.();
  await metadata?.close();
  await frontEnd?.close();
  await collector?.stop();
});

function kotlinToken(email = KOTLIN_SA, aud = SERVICE_URL): string {
  const now = Math.floor(Date.now() / 1000);
  return collector.issuer.sign({ aud, email, sub: email, iat: now, exp: now + 3600 });
}

async function waitFor(ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('finding 1: BFF, Node backend and Kotlin export through the front end into the deployable config; every trace arrives whole', async () => {
  const headers = googleIdTokenHeaders({ audience: SERVICE_URL });
  const stack = await startTracedStack({ collectorUrl: frontEnd.url, headers, kotlinHeaders: { authorization: `Bearer ${kotlinToken()}` } });
  const first = frontEnd.requests.length;
  try {
    const traceIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const traceId = crypto.randomUUID().replaceAll('-', '');
      const response = await postQuery((i % 2 ? stack.bffViaKotlin : stack.bffViaNode)!.url, `p-${i}`, 'token-hospital-a', { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
      expect(response.status).toBe(200);
      traceIds.push(traceId);
    }
    await waitFor(async () => traceIds.every((id) => stack.kotlin!.spans().some((s) => s.traceId === id)), 15_000);
    expect(await stack.flush()).toEqual([]);
    const produced = byTrace(stack.produced());
    await waitFor(async () => {
      const kept = byTrace(await readSpanFile(collector.tracesFile));
      return traceIds.every((id) => (kept.get(id)?.length ?? 0) === produced.get(id)!.length);
    }, 15_000);
    const kept = byTrace(await readSpanFile(collector.tracesFile));
    for (const id of traceIds) expect(spanKeys(kept.get(id)!)).toEqual(spanKeys(produced.get(id)!));
    expect(new Set(traceIds.flatMap((id) => kept.get(id)!.map((s) => s.serviceName)))).toEqual(new Set(['bff', 'node-backend', 'kotlin-backend']));
    const exports = frontEnd.requests.slice(first).filter((r) => r.path === '/v1/traces');
    expect(new Set(exports.map((r) => r.decision.allowed && r.decision.email))).toEqual(new Set([NODE_SA, KOTLIN_SA]));
    expect(exports.every((r) => r.status === 200)).toBe(true);
    expect(exports.every((r) => r.forwarded?.authorization?.endsWith('.SIGNATURE_REMOVED_BY_GOOGLE'))).toBe(true);
  } finally {
    await stack.stop();
    headers.shutdown();
  }
}, 60_000);

test("googleIdTokenHeaders({ header: 'X-Serverless-Authorization' }): Cloud Run checks that header, the exports get through, the container sees it without signature", async () => {
  const headers = googleIdTokenHeaders({ audience: SERVICE_URL, header: 'X-Serverless-Authorization' });
  const stack = await startTracedStack({ collectorUrl: frontEnd.url, headers, kotlin: false });
  const first = frontEnd.requests.length;
  try {
    for (let i = 0; i < 3; i++) expect((await postQuery(stack.bffViaNode.url, 'p-1', 'token-hospital-a')).status).toBe(200);
    expect(await stack.flush()).toEqual([]);
    const exports = frontEnd.requests.slice(first).filter((r) => r.path === '/v1/traces');
    expect(exports.length).toBeGreaterThan(0);
    for (const r of exports) {
      expect(r.decision).toMatchObject({ allowed: true, header: 'x-serverless-authorization', email: NODE_SA });
      expect(r.status).toBe(200);
      expect(r.forwarded?.['x-serverless-authorization']).toMatch(/\.SIGNATURE_REMOVED_BY_GOOGLE$/);
      expect(r.forwarded?.authorization).toBeUndefined();
    }
  } finally {
    await stack.stop();
    headers.shutdown();
  }
});

test('refused at the front end: no token (403), an expired one (401), another audience (401), a caller without roles/run.invoker (403); every request still served, nothing reaches the collector', async () => {
  const now = Math.floor(Date.now() / 1000);
  const expired = collector.issuer.sign({ aud: SERVICE_URL, email: NODE_SA, sub: NODE_SA, iat: now - 7200, exp: now - 3600 });
  const stranger = await startFakeMetadataServer({ issuer: collector.issuer, serviceAccountEmail: 'intruder@other-project.iam.gserviceaccount.com' });
  const scenarios: Record<string, { headers: () => ExportHeaders & { shutdown?: () => void }; kotlin: Record<string, string>; status: number; env?: FakeMetadataServer }> = {
    'no token': { headers: () => ({}), kotlin: {}, status: 403 },
    expired: { headers: () => ({ authorization: `Bearer ${expired}` }), kotlin: { authorization: `Bearer ${expired}` }, status: 401 },
    'token for another audience': { headers: () => googleIdTokenHeaders({ audience: 'https://other-123456789012.europe-west1.run.app' }), kotlin: { authorization: `Bearer ${kotlinToken(KOTLIN_SA, 'https://other.example')}` }, status: 401 },
    'caller not on the invoker list': { headers: () => googleIdTokenHeaders({ audience: SERVICE_URL }), kotlin: { authorization: `Bearer ${kotlinToken('intruder@other-project.iam.gserviceaccount.com')}` }, status: 403, env: stranger },
  };
  try {
    for (const [name, scenario] of Object.entries(scenarios)) {
      const restore = scenario.env ? applyEnv(scenario.env.env()) : () => undefined;
      const headers = scenario.headers();
      const stack = await startTracedStack({ collectorUrl: frontEnd.url, headers, kotlinHeaders: scenario.kotlin });
      const first = frontEnd.requests.length;
      try {
        const traceIds = new Set<string>();
        for (let i = 0; i < 10; i++) {
          const traceId = crypto.randomUUID().replaceAll('-', '');
          traceIds.add(traceId);
          const response = await postQuery((i % 2 ? stack.bffViaKotlin : stack.bffViaNode)!.url, `p-${i}`, 'token-hospital-a', { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
          expect(response.status, name).toBe(200);
          expect(response.body.errors, name).toBeUndefined();
        }
        await waitFor(async () => [...traceIds].every((id) => stack.kotlin!.spans().some((s) => s.traceId === id)), 15_000);
        await stack.flush();
        await waitFor(async () => frontEnd.requests.slice(first).some((r) => r.path === '/v1/traces' && r.decision.reason.length > 0 && r.status !== 0), 5_000);
        // The Java agent exports every 200 ms: give it time to try and be refused too.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        const exports = frontEnd.requests.slice(first).filter((r) => r.path === '/v1/traces');
        expect(exports.length, name).toBeGreaterThanOrEqual(2);
        expect(new Set(exports.map((r) => r.status)), name).toEqual(new Set([scenario.status]));
        expect(exports.every((r) => !r.decision.allowed), name).toBe(true);
        // hospital_a is always kept: had any span got through, its trace would be in the sink.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect((await readSpanFile(collector.tracesFile)).filter((s) => traceIds.has(s.traceId)), name).toEqual([]);
      } finally {
        await stack.stop();
        (headers as { shutdown?: () => void }).shutdown?.();
        restore();
      }
    }
  } finally {
    await stranger.close();
  }
}, 120_000);

test('finding 5: --use-http2 cannot serve this collector: h2c to its one port reaches an OTLP/HTTP receiver that does not speak it, so the gRPC recipe is not offered', async () => {
  const h2c = await startCloudRunFrontEnd({ issuer: collector.issuer, containerPort: Number(new URL(collector.otlpHttpUrl).port), invokers: [NODE_SA], http2: true });
  try {
    const now = Math.floor(Date.now() / 1000);
    const token = collector.issuer.sign({ aud: SERVICE_URL, email: NODE_SA, iat: now, exp: now + 600 });
    const post = (url: string) => fetch(`${url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"resourceSpans":[]}' });
    // The same export: accepted over HTTP/1.1 (the deployed setting), failed over h2c.
    expect((await post(frontEnd.url)).status).toBe(200);
    const response = await post(h2c.url);
    expect(response.status).toBe(503);
    expect(h2c.requests.at(-1)!.decision.allowed).toBe(true);
  } finally {
    await h2c.close();
  }
});
