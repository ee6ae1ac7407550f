// Coexistence with @envelop/opentelemetry. On its own it ignores the incoming
// traceparent. Listed after useTraceContext, its onExecute runs inside our
// instrumentation wrapper and reads `context.active()` there, so its spans
// join the caller's trace. With `recordSpans: false` on ours, its span is
// the one operation span.
import { useOpenTelemetry } from '@envelop/opentelemetry';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { useTraceContext } from '../src/index.js';
import {
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

async function serve(plugins: NonNullable<Parameters<typeof createYoga>[0]['plugins']>): Promise<string> {
  const schema = createSchema({
    typeDefs: 'type Query { echo: String }',
    resolvers: { Query: { echo: async () => (await backend.say('x')).traceparent } },
  });
  const handle = await listen(createYoga({ schema, plugins, logging: false }));
  servers.push(handle);
  return handle.url;
}

// Their plugin registers a global console exporter unless given a provider: always pass one.
const theirs = () => useOpenTelemetry({ resolvers: false }, tracing.provider);
const QUERY = 'query GetEcho { echo }';

beforeAll(async () => {
  backend = await startEchoBackend({ clientProvider: tracing.provider });
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await backend.close();
});
beforeEach(() => tracing.exporter.reset());

test('control: @envelop/opentelemetry alone starts a new trace despite the traceparent', async () => {
  const url = await serve([theirs()]);
  const incoming = randomTraceparent();
  await postGraphQL(url, { query: QUERY }, { traceparent: incoming.traceparent });
  expect(only(tracing.spans(), 'query.GetEcho').spanContext().traceId).not.toBe(incoming.traceId);
});

test('recommended: useTraceContext({ recordSpans: false }) first → one operation span (theirs), in the caller\'s trace', async () => {
  const url = await serve([useTraceContext({ tracerProvider: tracing.provider, recordSpans: false }), theirs()]);
  const incoming = randomTraceparent();
  const { json } = await postGraphQL(url, { query: QUERY }, { traceparent: incoming.traceparent });

  const spans = tracing.spans();
  expect(spans.map((span) => span.name).sort()).toEqual(['query.GetEcho', 'tracehop.fixture.Echo/Say']);
  const operation = only(spans, 'query.GetEcho');
  expect(operation.spanContext().traceId).toBe(incoming.traceId);
  expect(parentSpanId(operation)).toBe(incoming.spanId);
  const grpcClient = only(spans, 'tracehop.fixture.Echo/Say');
  expect(parentSpanId(grpcClient)).toBe(operation.spanContext().spanId);
  expect(parseTraceparent(json.data!.echo as string)).toEqual({ traceId: incoming.traceId, spanId: grpcClient.spanContext().spanId });
});

test('both with operation spans: theirs nests under ours, all in the caller\'s trace', async () => {
  const url = await serve([useTraceContext({ tracerProvider: tracing.provider }), theirs()]);
  const incoming = randomTraceparent();
  await postGraphQL(url, { query: QUERY }, { traceparent: incoming.traceparent });
  const spans = tracing.spans();
  const ours = only(spans, 'query');
  const their = only(spans, 'query.GetEcho');
  expect(spans.every((span) => span.spanContext().traceId === incoming.traceId)).toBe(true);
  expect(parentSpanId(ours)).toBe(incoming.spanId);
  expect(parentSpanId(their)).toBe(ours.spanContext().spanId);
});
