// An untrusted caller starts a new trace linked to its own;
// inbound baggage is dropped at the public edge unless allowed. Plus hostile
// headers, property-tested: never an exception, the request still succeeds.
import { trace } from '@opentelemetry/api';
import fc from 'fast-check';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { useTraceContext, type TraceContextOptions } from '../src/index.js';
import {
  baggageOf,
  createTracing,
  installContextManager,
  listen,
  only,
  parentSpanId,
  parseTraceparent,
  postGraphQL,
  randomTraceparent,
  startEchoBackend,
  type EchoBackend,
  type HttpHandle,
} from './harness.js';

installContextManager();
const tracing = createTracing();
let backend: EchoBackend;
const servers: HttpHandle[] = [];

async function startYoga(options: TraceContextOptions): Promise<string> {
  const schema = createSchema({
    typeDefs: 'type Query { probe: String! }',
    resolvers: {
      Query: {
        async probe() {
          const seen = await backend.say('probe');
          return JSON.stringify({ baggage: baggageOf(), traceId: trace.getActiveSpan()?.spanContext().traceId, grpc: seen });
        },
      },
    },
  });
  const handle = await listen(createYoga({ schema, plugins: [useTraceContext({ tracerProvider: tracing.provider, ...options })], logging: false }));
  servers.push(handle);
  return handle.url;
}

interface Probe {
  baggage: Record<string, string>;
  traceId: string;
  grpc: { traceparent?: string; baggage?: string };
}

async function probe(url: string, headers: Record<string, string>): Promise<Probe> {
  const { status, json } = await postGraphQL(url, { query: '{ probe }' }, headers);
  expect(status).toBe(200);
  expect(json.errors).toBeUndefined();
  return JSON.parse(json.data!.probe as string) as Probe;
}

beforeAll(async () => {
  backend = await startEchoBackend({ clientProvider: tracing.provider });
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await backend.close();
});
beforeEach(() => tracing.exporter.reset());

const BAGGAGE = 'tenant.id=hospital-7,user.role=admin';

describe('trust policy at the GraphQL edge', () => {
  test('untrusted caller: a new trace, linked to the caller\'s, and its baggage dropped', async () => {
    const url = await startYoga({ trust: { trustTraceContext: false, acceptBaggage: true } });
    const incoming = randomTraceparent();
    const seen = await probe(url, { traceparent: incoming.traceparent, baggage: BAGGAGE });

    const operation = only(tracing.spans(), 'query');
    expect(operation.spanContext().traceId).not.toBe(incoming.traceId);
    expect(parentSpanId(operation)).toBeUndefined();
    expect(operation.links).toEqual([
      expect.objectContaining({
        context: expect.objectContaining({ traceId: incoming.traceId, spanId: incoming.spanId }),
        attributes: { 'tracehop.link.reason': 'untrusted_caller' },
      }),
    ]);
    expect(seen.traceId).toBe(operation.spanContext().traceId);
    expect(parseTraceparent(seen.grpc.traceparent)?.traceId).toBe(operation.spanContext().traceId);
    // acceptBaggage: true does not apply to an untrusted caller.
    expect(seen.baggage).toEqual({});
    expect(seen.grpc.baggage).toBeUndefined();
  });

  test('linkUntrusted: false leaves the new trace without a link', async () => {
    const url = await startYoga({ trust: { trustTraceContext: false, linkUntrusted: false } });
    await probe(url, { traceparent: randomTraceparent().traceparent });
    expect(only(tracing.spans(), 'query').links).toEqual([]);
  });

  test('trusted caller, default policy: the trace continues but baggage is dropped (public edge)', async () => {
    const url = await startYoga({});
    const incoming = randomTraceparent();
    const seen = await probe(url, { traceparent: incoming.traceparent, baggage: BAGGAGE });
    expect(seen.traceId).toBe(incoming.traceId);
    expect(seen.baggage).toEqual({});
    expect(seen.grpc.baggage).toBeUndefined();
  });

  test('acceptBaggage as an allow-list keeps only those keys, in resolvers and on the gRPC call', async () => {
    const url = await startYoga({ trust: { acceptBaggage: ['user.role'] } });
    const seen = await probe(url, { traceparent: randomTraceparent().traceparent, baggage: BAGGAGE });
    expect(seen.baggage).toEqual({ 'user.role': 'admin' });
    expect(seen.grpc.baggage).toBe('user.role=admin');
  });

  test('a trust predicate sees the request headers and the GraphQL context', async () => {
    const url = await startYoga({
      trust: {
        trustTraceContext: ({ headers, graphqlContext }) =>
          (headers as Headers).get('x-internal-caller') === 'yes' && graphqlContext instanceof Object,
        acceptBaggage: (key) => key === 'tenant.id',
      },
    });
    const incoming = randomTraceparent();
    const trusted = await probe(url, { traceparent: incoming.traceparent, baggage: BAGGAGE, 'x-internal-caller': 'yes' });
    expect(trusted.traceId).toBe(incoming.traceId);
    expect(trusted.baggage).toEqual({ 'tenant.id': 'hospital-7' });
    const untrusted = await probe(url, { traceparent: incoming.traceparent, baggage: BAGGAGE });
    expect(untrusted.traceId).not.toBe(incoming.traceId);
    expect(untrusted.baggage).toEqual({});
  });

  test('a throwing trust predicate or getHeaders never fails the request: the caller is untrusted', async () => {
    const throwingPredicate = await startYoga({
      trust: {
        trustTraceContext: () => {
          throw new Error('policy bug');
        },
      },
    });
    const incoming = randomTraceparent();
    expect((await probe(throwingPredicate, { traceparent: incoming.traceparent })).traceId).not.toBe(incoming.traceId);
    const throwingGetter = await startYoga({
      getHeaders: () => {
        throw new Error('getter bug');
      },
    });
    expect((await probe(throwingGetter, { traceparent: incoming.traceparent })).traceId).not.toBe(incoming.traceId);
  });
});

describe('hostile headers (property-based)', () => {
  const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF-xz '), minLength: length, maxLength: length });
  const traceparent = fc.oneof(
    fc.string({ maxLength: 120 }),
    fc.tuple(hex(2), hex(32), hex(16), hex(2)).map((parts) => parts.join('-')),
    fc.constantFrom('00-00000000000000000000000000000000-0000000000000000-01', 'ff-' + 'a'.repeat(32) + '-' + 'b'.repeat(16) + '-01', ''),
  );
  const baggage = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.array(fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 })), { maxLength: 80 }).map((pairs) =>
      pairs.map(([key, value]) => `${key}=${value}`).join(','),
    ),
    // Large, but under Node's 16 KiB header cap (a 431 there is node:http's answer, not ours).
    fc.constant('k=' + 'v'.repeat(9_000)),
  );
  // Only what a Fetch client can put in a header: visible ASCII, no CR/LF.
  const headerSafe = (value: string) => value.replace(/[^\x20-\x7e]/g, '').trim();

  test('never throws, the request still succeeds, and malformed traceparents start a new trace', async () => {
    const url = await startYoga({ trust: { acceptBaggage: true } });
    await fc.assert(
      fc.asyncProperty(traceparent, baggage, fc.string({ maxLength: 300 }), async (rawTraceparent, rawBaggage, rawTracestate) => {
        const headers = { traceparent: headerSafe(rawTraceparent), baggage: headerSafe(rawBaggage), tracestate: headerSafe(rawTracestate) };
        const seen = await probe(url, headers);
        const valid = parseTraceparent(headers.traceparent);
        if (!valid || /^0+$/.test(valid.traceId) || /^0+$/.test(valid.spanId)) {
          expect(seen.traceId).toMatch(/^[0-9a-f]{32}$/);
          expect(seen.traceId).not.toBe(valid?.traceId);
        }
        expect(parseTraceparent(seen.grpc.traceparent)?.traceId).toBe(seen.traceId);
      }),
      { numRuns: 150 },
    );
  });

  test('duplicated traceparent headers are rejected as the spec requires (new trace), not merged', async () => {
    const url = await startYoga({});
    const first = randomTraceparent();
    const second = randomTraceparent();
    const response = await fetch(url, {
      method: 'POST',
      headers: [
        ['content-type', 'application/json'],
        ['traceparent', first.traceparent],
        ['traceparent', second.traceparent],
      ],
      body: JSON.stringify({ query: '{ probe }' }),
    });
    const { data } = (await response.json()) as { data: { probe: string } };
    const seen = JSON.parse(data.probe) as Probe;
    expect([first.traceId, second.traceId]).not.toContain(seen.traceId);
  });
});
