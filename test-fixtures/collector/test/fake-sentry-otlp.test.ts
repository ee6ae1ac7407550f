// The loopback Sentry OTLP endpoint on its own, over raw HTTP: Relay's route,
// its auth rules and status codes, so the collector test that relies on it can fail.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startFakeSentryOtlp, type FakeSentryOtlp } from '../src/index.js';
import { newTraceId, traceBody } from './otlp-post.js';

let sentry: FakeSentryOtlp;
beforeAll(async () => {
  sentry = await startFakeSentryOtlp();
});
afterAll(async () => sentry?.stop());

async function post(url: string, headers: Record<string, string>, body: string | Uint8Array<ArrayBuffer> = traceBody(newTraceId(), { 'service.name': 'bff' }, [{ name: 'query' }])) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  return { status: response.status, detail: text ? (JSON.parse(text) as { detail?: string }).detail : undefined };
}

test('the documented header and endpoint: 202 Accepted, empty body, spans stored; gzip and a trailing slash too', async () => {
  const traceId = newTraceId();
  const auth = { 'x-sentry-auth': `sentry sentry_key=${sentry.publicKey}` };
  expect(await post(sentry.tracesEndpoint, auth, traceBody(traceId, { 'service.name': 'bff' }, [{ name: 'query' }]))).toEqual({ status: 202, detail: undefined });
  expect(await post(`${sentry.tracesEndpoint}/`, { ...auth, 'content-encoding': 'gzip' }, new Uint8Array(gzipSync(traceBody(traceId, { 'service.name': 'bff' }, [{ name: 'child' }]))))).toEqual({ status: 202, detail: undefined });
  expect(sentry.spans.filter((s) => s.traceId === traceId).map((s) => s.name)).toEqual(['query', 'child']);
  // Relay also takes `Sentry ` in Authorization, any case.
  expect((await post(sentry.tracesEndpoint, { authorization: `Sentry sentry_key=${sentry.publicKey}` })).status).toBe(202);
});

test.each([
  ['no auth', {}, 401, 'missing authorization information'],
  ['a Bearer token (not Sentry auth)', { authorization: 'Bearer abc' }, 401, 'missing authorization information'],
  ['two auth sources', { 'x-sentry-auth': 'sentry sentry_key=0123456789abcdef0123456789abcdef', authorization: 'sentry sentry_key=0123456789abcdef0123456789abcdef' }, 401, 'multiple authorization payloads detected'],
  ['a key that is not 32 characters', { 'x-sentry-auth': 'sentry sentry_key=short' }, 400, 'bad sentry DSN public key'],
  ["another project's key", { 'x-sentry-auth': 'sentry sentry_key=ffffffffffffffffffffffffffffffff' }, 403, 'event submission rejected with_reason: ProjectId'],
])('refused: %s', async (_name, headers, status, detail) => {
  const before = sentry.spans.length;
  expect(await post(sentry.tracesEndpoint, headers)).toEqual({ status, detail });
  expect(sentry.spans.length).toBe(before);
});

test('another project ID in the path is 403, another path 404, another media type 415', async () => {
  const auth = { 'x-sentry-auth': `sentry sentry_key=${sentry.publicKey}` };
  expect((await post(sentry.tracesEndpoint.replace(`/api/${sentry.projectId}/`, '/api/1/'), auth)).status).toBe(403);
  expect((await post(sentry.tracesEndpoint.replace('/integration/otlp/v1/traces', '/otlp/v1/metrics'), auth)).status).toBe(404);
  expect((await post(sentry.tracesEndpoint, { ...auth, 'content-type': 'text/plain' })).status).toBe(415);
});
