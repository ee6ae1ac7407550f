// Sentry from the same collector (the sentry.yaml overlay on the deployable
// single tier): the traces tail sampling keeps reach the Telemetry API AND
// Sentry's OTLP endpoint, the same spans with the same trace IDs, with the
// `x-sentry-auth` header Sentry requires; dropped traces reach neither. A
// Sentry that refuses (wrong key) costs Google nothing.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createIssuer, startFakeMetadataServer, type FakeMetadataServer } from '@tracehop/fixture-gcp-fakes';
import { collectorBinary, configPath, startFakeSentryOtlp, startFakeTelemetryApi, startSingleTier, startTracedStack, type FakeSentryOtlp, type FakeTelemetryApi, type LoopbackCollector, type TracedStack } from '../src/index.js';
import { postQuery } from './graphql.js';
import { newTraceId, postTrace, traceBody } from './otlp-post.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
let metadata: FakeMetadataServer;
let google: FakeTelemetryApi;
let sentry: FakeSentryOtlp;
let collector: LoopbackCollector;
let stack: TracedStack;

beforeAll(async () => {
  metadata = await startFakeMetadataServer({ issuer: createIssuer() });
  [google, sentry] = await Promise.all([startFakeTelemetryApi({ metadata }), startFakeSentryOtlp()]);
  collector = await startSingleTier({
    decisionWait: '1s',
    slowThresholdMs: 60_000,
    sampledTenants: ['hospital_a'],
    traces: 'google',
    metrics: 'google',
    telemetryApiUrl: google.url,
    metadata,
    overlays: ['sentry.yaml'],
    env: { SENTRY_OTLP_ENDPOINT: sentry.tracesEndpoint, SENTRY_KEY: sentry.publicKey },
  });
  stack = await startTracedStack({ collectorUrl: collector.otlpHttpUrl, kotlin: false });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await collector?.stop();
  await Promise.all([google?.stop(), sentry?.stop()]);
  await metadata?.close();
});

const ids = (spans: Array<{ traceId: string; spanId: string }>) => spans.map((s) => `${s.traceId}/${s.spanId}`).sort();

test('a kept trace arrives at Google and at Sentry with the same trace ID and spans; dropped traces at neither', async () => {
  const send = async (token: string) => {
    const traceId = randomBytes(16).toString('hex');
    expect((await postQuery(stack.bffViaNode.url, 'p-1', token, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` })).status).toBe(200);
    return traceId;
  };
  const kept = [await send('token-hospital-a'), await send('token-hospital-a')];
  const dropped = [await send('token-hospital-b'), await send('token-hospital-b')];
  expect(await stack.flush()).toEqual([]);
  const expected = ids(stack.produced().filter((s) => kept.includes(s.traceId)));

  const deadline = Date.now() + 15_000;
  while ((ids(sentry.spans).length < expected.length || ids(google.spans).length < expected.length) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // let anything that should not come, come
  console.info(`[sentry] ${sentry.requests.length} request(s) to ${new URL(sentry.tracesEndpoint).pathname}, ${sentry.spans.length} spans; google ${google.spans.length} spans`);

  expect(ids(sentry.spans)).toEqual(expected);
  expect(ids(google.spans)).toEqual(expected);
  for (const id of dropped) expect([...sentry.spans, ...google.spans].some((s) => s.traceId === id)).toBe(false);
  expect(sentry.requests.every((r) => r.status === 202 && r.sentryAuth === `sentry sentry_key=${sentry.publicKey}`)).toBe(true);
  // Sentry gets OTLP traces only: the span metrics stay with Google.
  expect(sentry.requests.every((r) => r.path.endsWith('/integration/otlp/v1/traces'))).toBe(true);
}, 45_000);

test('a Sentry that refuses the key (403) does not stop the same traces reaching Google', async () => {
  const otherGoogle = await startFakeTelemetryApi({ metadata });
  const otherSentry = await startFakeSentryOtlp();
  const wrongKey = await startSingleTier({
    decisionWait: '500ms',
    traces: 'google',
    metrics: 'google',
    telemetryApiUrl: otherGoogle.url,
    metadata,
    overlays: ['sentry.yaml'],
    env: { SENTRY_OTLP_ENDPOINT: otherSentry.tracesEndpoint, SENTRY_KEY: 'ffffffffffffffffffffffffffffffff' },
  });
  try {
    const traceId = newTraceId();
    expect(await postTrace(wrongKey.otlpHttpUrl, traceBody(traceId, { 'service.name': 'bff' }, [{ name: 'query', statusCode: 2 }]))).toBe(200);
    const deadline = Date.now() + 10_000;
    while ((!otherGoogle.spans.some((s) => s.traceId === traceId) || otherSentry.requests.length === 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(otherGoogle.spans.map((s) => s.traceId)).toEqual([traceId]);
    expect(otherSentry.requests[0]).toMatchObject({ status: 403, detail: 'event submission rejected with_reason: ProjectId' });
    expect(otherSentry.spans).toEqual([]);
  } finally {
    await wrongKey.stop();
    await Promise.all([otherGoogle.stop(), otherSentry.stop()]);
  }
}, 30_000);

test('the overlay without SENTRY_OTLP_ENDPOINT is refused before start; with it (and the key) it validates', async () => {
  const validate = async (env: Record<string, string>) => {
    const files = ['sampling.yaml', 'cloud-run.yaml', 'sentry.yaml'].flatMap((file) => ['--config', `file:${configPath(file)}`]);
    try {
      const { stdout, stderr } = await promisify(execFile)(collectorBinary(), ['validate', ...files], { env: { PATH: process.env.PATH ?? '', GOOGLE_CLOUD_PROJECT: 'p', GOOGLE_CLOUD_REGION: 'europe-west1', ...env } });
      return { ok: true, output: stdout + stderr };
    } catch (error) {
      return { ok: false, output: String((error as { stderr?: string }).stderr) };
    }
  };
  const missing = await validate({ SENTRY_KEY: '0123456789abcdef0123456789abcdef' });
  expect(missing.ok).toBe(false);
  expect(missing.output).toContain('otlp_http/sentry: at least one endpoint must be specified');
  expect(await validate({ SENTRY_OTLP_ENDPOINT: 'https://o1.ingest.de.sentry.io/api/2/integration/otlp/v1/traces', SENTRY_KEY: '0123456789abcdef0123456789abcdef' })).toEqual({ ok: true, output: '' });
});
