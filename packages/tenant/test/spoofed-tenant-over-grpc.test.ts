// A client spoofs the tenant
// in `baggage`; `evil` must appear on no span, no log line and in no metadata,
// and the authenticated tenant (t_a) on all of them, over a real gRPC call.
import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { compileTrustPolicy, headersGetter } from '@tracehop/core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { acceptBaggageExceptTenant } from '../src/index.js';
import {
  backendBaggage,
  backendLines,
  CLIENT_TRACE_ID,
  CLIENT_TRACEPARENT,
  client,
  edgeLines,
  edgeRequest,
  exporter,
  resetRecordings,
  startBackend,
  stopBackend,
} from './edge-and-backend.js';

const SPOOF = /evil/i;
beforeAll(startBackend);
afterAll(stopBackend);
beforeEach(resetRecordings);

const many = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => `${prefix}${i}=v${i}`);
const variants: Array<[name: string, baggage: string | string[]]> = [
  ['plain', 'tenant.id=evil'],
  ['duplicated keys', 'tenant.id=evil,tenant.id=evil2'],
  ['two baggage headers', ['tenant.id=evil', 'sentry-trace_id=abc,tenant.id=evil2']],
  ['percent-encoded key', 'tenant%2Eid=evil'],
  ['lower-case escape, encoded value', 'tenant%2eid=%65vil'],
  ['upper case', 'TENANT.ID=evil'],
  ['mixed case and spaces', ' Tenant.Id = evil ; prop=1'],
  ['other tenant keys', 'tenant=evil,tenant_id=evil,tenant-id=evil,tenant.name=evil'],
  ['double-encoded key', 'tenant%252Eid=evil'],
  ['hidden among 200 members', [...many(100), 'tenant.id=evil', ...many(99, 'j')].join(',')],
  ['after 9000 bytes', `${'x=' + 'y'.repeat(4000)},${'z=' + 'w'.repeat(4000)},${'q=' + 'r'.repeat(1000)},tenant.id=evil`],
  ['huge value', `tenant.id=evil${'e'.repeat(9000)}`],
  ['a valid-looking spoof', 'tenant.id=t_b'],
  ['no tenant sent at all (the happy path)', 'sentry-trace_id=abc'],
];

describe.each([
  ['acceptBaggage: true', { acceptBaggage: true }],
  ['acceptBaggage: acceptBaggageExceptTenant()', { acceptBaggage: acceptBaggageExceptTenant() }],
] as const)('public edge with %s, principal t_a', (_label, trustPolicy) => {
  test.each(variants)('%s: downstream tenant is t_a everywhere and the spoof appears nowhere', async (_name, baggage) => {
    await edgeRequest({ traceparent: CLIENT_TRACEPARENT, baggage }, trustPolicy, 't_a');

    // Downstream metadata: exactly one tenant member, the authenticated one.
    expect(backendBaggage).toHaveLength(2);
    for (const values of backendBaggage) {
      const members = values.join(',').split(',').map((member) => member.trim());
      expect(members.filter((member) => /^tenant/i.test(decodeURIComponent(member)))).toEqual(['tenant.id=t_a']);
      expect(values.join(',')).not.toMatch(SPOOF);
      expect(values.join(',')).not.toContain('t_b');
    }

    // Every backend log line: the client's trace ID and t_a (handler sync, after await, in a stream).
    const lines = backendLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatchObject({ trace_id: CLIENT_TRACE_ID, 'tenant.id': 't_a' });
    expect(lines[1]).toMatchObject({ tenant_seen_by_handler: 't_a' });
    expect(JSON.parse(edgeLines[0]!)).toMatchObject({ 'logging.googleapis.com/trace': CLIENT_TRACE_ID, 'tenant.id': 't_a' });
    for (const line of [...backendLines, ...edgeLines]) expect(line).not.toMatch(SPOOF);

    // Every span, on both sides, in the client's trace, with tenant.id=t_a from TenantSpanProcessor.
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => `${span.name}/${span.kind}`).sort()).toEqual(
      ['POST /graphql/1', 'db.query/0', 'tracehop.fixture.Echo/Say/1', 'tracehop.fixture.Echo/Say/2', 'tracehop.fixture.Echo/Stream/1', 'tracehop.fixture.Echo/Stream/2'].sort(),
    );
    for (const span of spans) {
      expect(span.spanContext().traceId, span.name).toBe(CLIENT_TRACE_ID);
      expect(span.attributes['tenant.id'], span.name).toBe('t_a');
      expect(JSON.stringify(span.attributes), span.name).not.toMatch(SPOOF);
    }
  });
});

test('an unauthenticated request with a spoofed tenant: no tenant anywhere, and still no spoof', async () => {
  await edgeRequest({ traceparent: CLIENT_TRACEPARENT, baggage: 'tenant.id=evil,sentry-trace_id=abc' }, { acceptBaggage: true }, undefined);
  expect(backendBaggage.flat()).toEqual(['sentry-trace_id=abc', 'sentry-trace_id=abc']); // Say and Stream
  for (const line of backendLines) expect(JSON.parse(line)).not.toHaveProperty('tenant.id');
  for (const span of exporter.getFinishedSpans()) expect(span.attributes).not.toHaveProperty('tenant.id');
  expect([...backendLines, ...edgeLines].join('')).not.toMatch(SPOOF);
});

test('sanity: without tenantFromAuth the spoof would reach the backend (what the edge prevents)', async () => {
  const policy = compileTrustPolicy({ acceptBaggage: true }, { acceptBaggage: false });
  const inbound = policy.continueTrace(ROOT_CONTEXT, { traceparent: CLIENT_TRACEPARENT, baggage: 'tenant.id=evil' }, headersGetter, undefined);
  await context.with(inbound.context, () =>
    new Promise((resolve, reject) => client.say({ value: 'hi' }, (error, reply) => (error ? reject(error) : resolve(reply)))),
  );
  expect(backendBaggage.flat()).toEqual(['tenant.id=evil']);
  expect(propagation.getBaggage(inbound.context)?.getEntry('tenant.id')?.value).toBe('evil');
});
