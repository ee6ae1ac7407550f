// The loopback Telemetry API on its own, over raw HTTP (OTLP JSON): it takes
// what Google takes and refuses what Google refuses, in Google's error shape,
// so the collector tests that rely on it can fail.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createIssuer, startFakeMetadataServer, type FakeMetadataServer } from '@tracehop/fixture-gcp-fakes';
import { matchesFilter, startFakeTelemetryApi, type FakeTelemetryApi } from '../src/index.js';
import { newTraceId, postTrace, traceBody } from './otlp-post.js';

const PROJECT = 'tracehop-test';
let metadata: FakeMetadataServer;
let api: FakeTelemetryApi;

beforeAll(async () => {
  metadata = await startFakeMetadataServer({ issuer: createIssuer(), projectId: PROJECT });
  api = await startFakeTelemetryApi({ metadata });
});
afterAll(async () => {
  await api?.stop();
  await metadata?.close();
});

async function accessToken(scopes?: string): Promise<string> {
  const query = scopes ? `?scopes=${encodeURIComponent(scopes)}` : '';
  const response = await fetch(`http://${metadata.host}/computeMetadata/v1/instance/service-accounts/default/token${query}`, { headers: { 'Metadata-Flavor': 'Google' } });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function post(path: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: (await response.json()) as { error?: { code: number; status: string; message: string; details: Array<{ reason?: string }> }; partialSuccess?: { rejectedDataPoints?: string; errorMessage?: string } } };
}

const resource = { 'service.name': 'bff', 'gcp.project_id': PROJECT };

describe('traces', () => {
  test('a span with a metadata-server access token and gcp.project_id is stored under that project', async () => {
    const traceId = newTraceId();
    expect(await postTrace(api.url, traceBody(traceId, resource, [{ name: 'query', attributes: { 'tenant.id': 'hospital_a' } }]), { authorization: `Bearer ${await accessToken()}` })).toBe(200);
    expect(api.spans.filter((s) => s.traceId === traceId)).toEqual([expect.objectContaining({ project: PROJECT, name: 'query', attributes: { 'tenant.id': 'hospital_a' } })]);
  });

  test.each([
    ['no Authorization header', () => Promise.resolve({}), 401, 'UNAUTHENTICATED', 'CREDENTIALS_MISSING'],
    ['an ID token (a JWT) instead of an access token', async () => ({ authorization: `Bearer ${idToken()}` }), 401, 'UNAUTHENTICATED', 'ACCESS_TOKEN_TYPE_UNSUPPORTED'],
    ['a token this metadata server never handed out', async () => ({ authorization: 'Bearer ya29.forged' }), 401, 'UNAUTHENTICATED', undefined],
    ['a token without trace.append or cloud-platform', async () => ({ authorization: `Bearer ${await accessToken('https://www.googleapis.com/auth/monitoring.write')}` }), 403, 'PERMISSION_DENIED', 'ACCESS_TOKEN_SCOPE_INSUFFICIENT'],
    ['a quota project the caller may not use', async () => ({ authorization: `Bearer ${await accessToken()}`, 'x-goog-user-project': 'someone-elses-project' }), 403, 'PERMISSION_DENIED', 'USER_PROJECT_DENIED'],
  ])('refused: %s', async (_name, headers, code, status, reason) => {
    const traceId = newTraceId();
    const result = await post('/v1/traces', traceBody(traceId, resource, [{ name: 'query' }]), await headers());
    expect(result.status).toBe(code);
    expect(result.body.error).toMatchObject({ code, status });
    expect(result.body.error?.details[0]?.reason).toBe(reason);
    expect(api.spans.some((s) => s.traceId === traceId)).toBe(false);
  });

  test('refused: a revoked token (401), a resource without gcp.project_id (400), another project (403)', async () => {
    const token = await accessToken();
    const noProject = await post('/v1/traces', traceBody(newTraceId(), { 'service.name': 'bff' }, [{ name: 'query' }]), { authorization: `Bearer ${token}` });
    expect(noProject).toMatchObject({ status: 400, body: { error: { status: 'INVALID_ARGUMENT' } } });
    const other = await post('/v1/traces', traceBody(newTraceId(), { 'service.name': 'bff', 'gcp.project_id': 'other' }, [{ name: 'query' }]), { authorization: `Bearer ${token}` });
    expect(other).toMatchObject({ status: 403, body: { error: { status: 'PERMISSION_DENIED', message: "Permission 'telemetry.traces.write' denied on resource 'projects/other' (or it may not exist)." } } });
    metadata.revokeAccessTokens();
    const revoked = await post('/v1/traces', traceBody(newTraceId(), resource, [{ name: 'query' }]), { authorization: `Bearer ${token}` });
    expect(revoked).toMatchObject({ status: 401, body: { error: { status: 'UNAUTHENTICATED' } } });
  });

  test('unknown paths are 404 and other media types 400, in Google JSON', async () => {
    const token = await accessToken();
    expect((await fetch(`${api.url}/v1/profiles`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    const text = await fetch(`${api.url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: 'hi' });
    expect(text.status).toBe(400);
    expect(text.headers.get('content-type')).toContain('application/json');
  });
});

describe('metrics', () => {
  const point = (attributes: Record<string, string>, value: number) => ({
    attributes: Object.entries(attributes).map(([key, v]) => ({ key, value: { stringValue: v } })),
    startTimeUnixNano: '1',
    timeUnixNano: String(Date.now() * 1e6),
    asInt: String(value),
  });
  const body = (resourceAttributes: Record<string, string>, points: unknown[]) =>
    JSON.stringify({
      resourceMetrics: [
        {
          resource: { attributes: Object.entries(resourceAttributes).map(([key, v]) => ({ key, value: { stringValue: v } })) },
          scopeMetrics: [{ metrics: [{ name: 'traces.span.metrics.calls', sum: { dataPoints: points, aggregationTemporality: 2, isMonotonic: true } }] }],
        },
      ],
    });

  test('points land as prometheus_target series; those Google rejects are counted in partial_success', async () => {
    const token = await accessToken();
    const full = { 'service.name': 'bff', 'service.namespace': 'hospitals', 'service.instance.id': 'collector-1', 'cloud.region': 'europe-west1', 'gcp.project_id': PROJECT };
    const accepted = await post('/v1/metrics', body(full, [point({ 'tenant.id': 'hospital_a', 'status.code': 'STATUS_CODE_OK' }, 7), point({ 'bad key!': 'x' }, 1)]), { authorization: `Bearer ${token}` });
    expect(accepted.status).toBe(200);
    expect(accepted.body.partialSuccess).toMatchObject({ rejectedDataPoints: '1' });
    const { 'service.instance.id': _instance, ...noInstance } = full;
    const rejected = await post('/v1/metrics', body(noInstance, [point({ 'tenant.id': 'hospital_b' }, 3)]), { authorization: `Bearer ${token}` });
    expect(rejected.body.partialSuccess?.errorMessage).toContain('instance is empty');
    const { 'cloud.region': _region, ...noLocation } = full;
    const noRegion = await post('/v1/metrics', body(noLocation, [point({ 'tenant.id': 'hospital_b' }, 3)]), { authorization: `Bearer ${token}` });
    expect(noRegion.body.partialSuccess?.errorMessage).toContain('location is required');

    const [series] = api.latestSeries('metric.type="prometheus.googleapis.com/traces.span.metrics.calls/counter" metric.labels."tenant.id"="hospital_a"');
    expect(series).toMatchObject({
      value: 7,
      metric: { labels: { 'tenant.id': 'hospital_a', 'status.code': 'STATUS_CODE_OK' } },
      resource: { type: 'prometheus_target', labels: { project_id: PROJECT, location: 'europe-west1', cluster: '', namespace: 'hospitals', job: 'hospitals/bff', instance: 'collector-1' } },
    });
    expect(api.latestSeries('metric.labels."tenant.id"="hospital_b"')).toEqual([]);
  });

  test('the filter reader takes the SLO filter syntax and refuses what it does not understand', () => {
    const series = { metric: { type: 'prometheus.googleapis.com/x/counter', labels: { 'tenant.id': 'a', status: 'ok' } }, resource: { type: 'prometheus_target', labels: { project_id: 'p', job: 'bff' } } };
    expect(matchesFilter('metric.type="prometheus.googleapis.com/x/counter" AND resource.type="prometheus_target" resource.labels.job="bff" metric.labels."tenant.id"="a"', series)).toBe(true);
    expect(matchesFilter('metric.labels.status!="ok"', series)).toBe(false);
    expect(matchesFilter('project="p" metric.label."tenant.id"="a"', series)).toBe(true);
    expect(() => matchesFilter('metric.labels.status=monitoring.regex.full_match("o.*")', series)).toThrow(/not understood/);
    expect(() => matchesFilter('', series)).toThrow(/empty/);
  });
});

function idToken(): string {
  const now = Math.floor(Date.now() / 1000);
  return createIssuer().sign({ aud: 'https://telemetry.googleapis.com', iat: now, exp: now + 600 });
}

describe('logs', () => {
  const body = (traceId: string) =>
    JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'otelcol' } }, { key: 'gcp.project_id', value: { stringValue: PROJECT } }] },
          scopeLogs: [{ logRecords: [{ timeUnixNano: '1700000000000000000', severityNumber: 17, severityText: 'error', body: { stringValue: 'Exporting failed.' }, traceId, attributes: [{ key: 'kind', value: { stringValue: 'exporter' } }] }] }],
        },
      ],
    });

  test('a log record with logging.write lands with its severity, body and trace; monitoring.write alone is refused', async () => {
    const traceId = newTraceId();
    const stored = await post('/v1/logs', body(traceId), { authorization: `Bearer ${await accessToken('https://www.googleapis.com/auth/logging.write')}` });
    expect(stored.status).toBe(200);
    expect(api.logs.filter((l) => l.traceId === traceId)).toEqual([
      expect.objectContaining({ project: PROJECT, severityNumber: 17, severityText: 'error', body: 'Exporting failed.', attributes: { kind: 'exporter' }, resource: { 'service.name': 'otelcol', 'gcp.project_id': PROJECT } }),
    ]);
    const refused = await post('/v1/logs', body(newTraceId()), { authorization: `Bearer ${await accessToken('https://www.googleapis.com/auth/monitoring.write')}` });
    expect(refused).toMatchObject({ status: 403, body: { error: { status: 'PERMISSION_DENIED' } } });
  });
});
