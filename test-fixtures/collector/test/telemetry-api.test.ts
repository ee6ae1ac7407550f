// The deployable single tier exporting to Google's Telemetry (OTLP) API the way
// cloud-run.yaml configures it (otlp_http + googleclientauth), against the
// loopback Telemetry API and a fake metadata server: kept traces at /v1/traces,
// the span metrics of every span at /v1/metrics, http/protobuf, with an access
// token the metadata server handed out, the quota project header and
// gcp.project_id; dropped traces never. When Google refuses (no permission on
// the quota project) nothing lands and the collector keeps running.
import { randomBytes } from 'node:crypto';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createIssuer, startFakeMetadataServer, type FakeMetadataServer } from '@tracehop/fixture-gcp-fakes';
import { startFakeTelemetryApi, startSingleTier, startTracedStack, type FakeTelemetryApi, type LoopbackCollector, type TracedStack } from '../src/index.js';
import { postQuery } from './graphql.js';
import { newTraceId, postTrace, traceBody } from './otlp-post.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const PROJECT = 'tracehop-test';
let metadata: FakeMetadataServer;
let api: FakeTelemetryApi;
let collector: LoopbackCollector;
let stack: TracedStack;

beforeAll(async () => {
  metadata = await startFakeMetadataServer({ issuer: createIssuer(), projectId: PROJECT, serviceAccountEmail: `otelcol@${PROJECT}.iam.gserviceaccount.com` });
  api = await startFakeTelemetryApi({ metadata });
  collector = await startSingleTier({ decisionWait: '1s', slowThresholdMs: 60_000, traces: 'google', metrics: 'google', telemetryApiUrl: api.url, metadata });
  stack = await startTracedStack({ collectorUrl: collector.otlpHttpUrl, kotlin: false });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await collector?.stop();
  await api?.stop();
  await metadata?.close();
});

const until = async (done: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
};

test('kept traces reach /v1/traces whole, as protobuf, with a metadata-server access token, the quota project and gcp.project_id; dropped ones never', async () => {
  const send = async (token: string) => {
    const traceId = newTraceId();
    const response = await postQuery(stack.bffViaNode.url, 'p-1', token, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    expect(response.status).toBe(200);
    return traceId;
  };
  const kept = [await send('token-hospital-a'), await send('token-hospital-a')];
  const dropped = [await send('token-hospital-b'), await send('token-hospital-b')];
  expect(await stack.flush()).toEqual([]);

  const produced = stack.produced();
  const expected = produced.filter((s) => kept.includes(s.traceId)).map((s) => s.spanId).sort();
  await until(() => expected.every((id) => api.spans.some((s) => s.spanId === id)), 15_000);
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // let anything that should not come, come
  const traceRequests = api.requests.filter((r) => r.path === '/v1/traces');
  console.info(`[telemetry api] ${traceRequests.length} /v1/traces request(s), ${api.spans.length} spans; access tokens fetched ${metadata.accessTokenFetchCount()}`);

  expect(api.spans.map((s) => s.spanId).sort()).toEqual(expected);
  for (const id of dropped) expect(api.spans.some((s) => s.traceId === id)).toBe(false);
  for (const request of traceRequests) {
    expect(request).toMatchObject({ status: 200, contentType: 'application/x-protobuf', contentEncoding: 'gzip', quotaProjectHeader: PROJECT, projectIdHeader: PROJECT });
    expect(metadata.issuedAccessTokens).toContain(request.authorization?.replace(/^Bearer /, ''));
  }
  const byId = new Map(produced.map((s) => [s.spanId, s]));
  for (const span of api.spans) {
    const source = byId.get(span.spanId)!;
    expect({ project: span.project, name: span.name, parent: span.parentSpanId, tenant: span.attributes['tenant.id'], service: span.resource['service.name'] }).toEqual({
      project: PROJECT,
      name: source.name,
      parent: source.parentSpanId,
      tenant: 'hospital_a',
      service: source.serviceName,
    });
  }
}, 45_000);

test('span metrics of every span, kept or dropped, reach /v1/metrics as prometheus_target series Google accepts', async () => {
  // Runs after the trace test: 4 requests (2 kept, 2 dropped), their spans all counted.
  const produced = stack.produced();
  const calls = () => api.latestSeries('metric.type="prometheus.googleapis.com/traces.span.metrics.calls/counter" resource.type="prometheus_target"');
  const total = () => calls().reduce((n, s) => n + s.value, 0);
  await until(() => total() >= produced.length, 15_000);
  const metricRequests = api.requests.filter((r) => r.path === '/v1/metrics');
  console.info(`[telemetry api] ${metricRequests.length} /v1/metrics request(s), ${api.points.length} points, ${calls().length} calls series, rejected ${api.rejectedPoints.length}`);

  expect(total()).toBe(produced.length);
  expect(api.rejectedPoints).toEqual([]);
  expect(metricRequests.every((r) => r.status === 200 && r.quotaProjectHeader === PROJECT && r.contentType === 'application/x-protobuf')).toBe(true);
  expect(new Set(calls().map((s) => s.metric.labels['tenant.id']))).toEqual(new Set(['hospital_a', 'hospital_b']));
  const durations = api.latestSeries('metric.type="prometheus.googleapis.com/traces.span.metrics.duration/histogram"');
  expect(durations.reduce((n, s) => n + s.value, 0)).toBe(produced.length);
  // The monitored resource: this collector's, in its region, one job per service.
  const targets = new Set(calls().map((s) => JSON.stringify(s.resource.labels)));
  expect([...targets].map((t) => JSON.parse(t) as Record<string, string>).sort((a, b) => a['job']!.localeCompare(b['job']!))).toEqual([
    { project_id: PROJECT, location: 'europe-west1', cluster: '', namespace: '', job: 'bff', instance: expect.stringMatching(/.+/) },
    { project_id: PROJECT, location: 'europe-west1', cluster: '', namespace: '', job: 'node-backend', instance: expect.stringMatching(/.+/) },
  ]);
  expect(calls().every((s) => !('collector.instance.id' in s.metric.labels))).toBe(true);
}, 30_000);

test('a service account without serviceusage on the quota project is refused (403 USER_PROJECT_DENIED): nothing lands, the collector keeps running', async () => {
  // Same credentials, an API where the collector's account may write the project but not bill it:
  // only the X-Goog-User-Project header the collector sends can make this fail.
  const strict = await startFakeTelemetryApi({ metadata, quotaUsers: {} });
  const refused = await startSingleTier({ decisionWait: '500ms', traces: 'google', metrics: 'google', telemetryApiUrl: strict.url, metadata });
  try {
    const traceId = newTraceId();
    expect(await postTrace(refused.otlpHttpUrl, traceBody(traceId, { 'service.name': 'bff' }, [{ name: 'query', statusCode: 2 }]))).toBe(200);
    await until(() => strict.requests.some((r) => r.path === '/v1/traces'), 10_000);
    expect(strict.requests.find((r) => r.path === '/v1/traces')).toMatchObject({ status: 403, reason: 'USER_PROJECT_DENIED', quotaProjectHeader: PROJECT });
    expect(strict.spans).toEqual([]);
    // Still receiving: the next export is accepted by the receiver.
    expect(await postTrace(refused.otlpHttpUrl, traceBody(newTraceId(), { 'service.name': 'bff' }, [{ name: 'query' }]))).toBe(200);
  } finally {
    await refused.stop();
    await strict.stop();
  }
}, 30_000);

test('access tokens are refreshed before they expire: with 12 s tokens every export carries a live one', async () => {
  // golang.org/x/oauth2 reuses a token until 10 s before its expiry, so a 12 s
  // token serves ~2 s: exports spread over ~7 s need several tokens, all accepted.
  const shortLived = await startFakeMetadataServer({ issuer: createIssuer(), projectId: PROJECT, accessTokenLifetimeSeconds: 12 });
  const shortApi = await startFakeTelemetryApi({ metadata: shortLived });
  const refreshing = await startSingleTier({ decisionWait: '500ms', traces: 'google', metrics: 'file', telemetryApiUrl: shortApi.url, metadata: shortLived });
  try {
    const traceIds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const traceId = newTraceId();
      traceIds.push(traceId);
      expect(await postTrace(refreshing.otlpHttpUrl, traceBody(traceId, { 'service.name': 'bff' }, [{ name: 'query', statusCode: 2 }]))).toBe(200);
      await until(() => shortApi.spans.some((s) => s.traceId === traceId), 10_000);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
    }
    const used = new Set(shortApi.requests.filter((r) => r.path === '/v1/traces').map((r) => r.authorization));
    console.info(`[telemetry api] 12 s tokens: ${shortLived.accessTokenFetchCount()} fetched, ${used.size} used over ${shortApi.requests.length} requests`);
    expect(shortApi.spans.map((s) => s.traceId)).toEqual(traceIds);
    expect(shortApi.requests.every((r) => r.status === 200)).toBe(true);
    expect(used.size).toBeGreaterThanOrEqual(2);
  } finally {
    await refreshing.stop();
    await shortApi.stop();
    await shortLived.close();
  }
}, 45_000);

test('with the oidc-auth.yaml overlay (VM, GKE) the Google export still starts and delivers', async () => {
  // Lists replace: an overlay that forgets googleclientauth in service.extensions
  // stops the collector at start ("failed to resolve authenticator").
  const withOidc = await startSingleTier({ oidc: true, decisionWait: '500ms', traces: 'google', metrics: 'google', telemetryApiUrl: api.url, metadata });
  try {
    const traceId = newTraceId();
    expect(await postTrace(withOidc.otlpHttpUrl, traceBody(traceId, { 'service.name': 'bff' }, [{ name: 'query', statusCode: 2 }]), { authorization: `Bearer ${withOidc.token()}` })).toBe(200);
    await until(() => api.spans.some((s) => s.traceId === traceId), 10_000);
    expect(api.spans.filter((s) => s.traceId === traceId).map((s) => s.project)).toEqual([PROJECT]);
  } finally {
    await withOidc.stop();
  }
}, 30_000);
