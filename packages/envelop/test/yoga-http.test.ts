// Yoga over real HTTP continues the caller's trace into every
// span of the operation and into a real gRPC call made from a resolver.
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { useTraceContext, type TraceContextOptions } from '../src/index.js';
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

const typeDefs = /* GraphQL */ `
  type Query {
    echo(value: String!): Echo!
    failing: String
  }
  type Echo {
    value: String!
    traceparent: String
    activeSpanId: String
  }
`;

async function startYoga(options: TraceContextOptions): Promise<HttpHandle> {
  const schema = createSchema({
    typeDefs,
    resolvers: {
      Query: {
        async echo(_: unknown, { value }: { value: string }) {
          await new Promise((resolve) => setTimeout(resolve, 1)); // context must survive real async hops
          const activeSpanId = trace.getActiveSpan()?.spanContext().spanId;
          const seen = await backend.say(value);
          return { value: seen.value, traceparent: seen.traceparent, activeSpanId };
        },
        failing() {
          throw new Error('boom');
        },
      },
    },
  });
  const yoga = createYoga({ schema, plugins: [useTraceContext({ tracerProvider: tracing.provider, ...options })], logging: false });
  const handle = await listen(yoga);
  servers.push(handle);
  return handle;
}

beforeAll(async () => {
  backend = await startEchoBackend({ clientProvider: tracing.provider });
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await backend.close();
});
beforeEach(() => tracing.exporter.reset());

const QUERY = 'query GetEcho { echo(value: "hi") { value traceparent activeSpanId } }';

describe('Yoga over HTTP with an incoming traceparent', () => {
  test('the operation span, the gRPC client span and the traceparent the gRPC server received all carry the incoming trace', async () => {
    const yoga = await startYoga({});
    const incoming = randomTraceparent();
    const { json } = await postGraphQL(yoga.url, { query: QUERY }, { traceparent: incoming.traceparent });
    const echo = json.data!.echo as { traceparent: string; activeSpanId: string };

    const spans = tracing.spans();
    const operation = only(spans, 'query');
    const grpcClient = only(spans, 'tracehop.fixture.Echo/Say');
    expect(operation.spanContext().traceId).toBe(incoming.traceId);
    expect(parentSpanId(operation)).toBe(incoming.spanId);
    expect(operation.kind).toBe(SpanKind.SERVER);
    expect(operation.attributes).toEqual({ 'graphql.operation.name': 'GetEcho', 'graphql.operation.type': 'query' });

    // The resolver ran inside the operation span, also after an await.
    expect(echo.activeSpanId).toBe(operation.spanContext().spanId);
    expect(grpcClient.spanContext().traceId).toBe(incoming.traceId);
    expect(parentSpanId(grpcClient)).toBe(operation.spanContext().spanId);
    // What reached the real gRPC server: the incoming trace, parent = the client span.
    expect(parseTraceparent(echo.traceparent)).toEqual({
      traceId: incoming.traceId,
      spanId: grpcClient.spanContext().spanId,
    });
  });

  test('with resolver spans on, the resolver span is active and parents the gRPC call', async () => {
    const yoga = await startYoga({ resolverSpans: true });
    const incoming = randomTraceparent();
    const { json } = await postGraphQL(yoga.url, { query: QUERY }, { traceparent: incoming.traceparent });
    const echo = json.data!.echo as { traceparent: string; activeSpanId: string };

    const spans = tracing.spans();
    const operation = only(spans, 'query');
    const resolver = only(spans, 'resolve Query.echo');
    const grpcClient = only(spans, 'tracehop.fixture.Echo/Say');
    expect(spans.every((span) => span.spanContext().traceId === incoming.traceId)).toBe(true);
    expect(parentSpanId(resolver)).toBe(operation.spanContext().spanId);
    expect(resolver.attributes).toEqual({
      'graphql.field.name': 'echo',
      'graphql.field.path': 'echo',
      'graphql.field.type': 'Echo!',
      'graphql.parent.name': 'Query',
    });
    expect(echo.activeSpanId).toBe(resolver.spanContext().spanId);
    expect(parentSpanId(grpcClient)).toBe(resolver.spanContext().spanId);
    expect(parseTraceparent(echo.traceparent)?.traceId).toBe(incoming.traceId);
    // Default field resolvers (Echo.value …) get no span.
    expect(spans.map((span) => span.name).sort()).toEqual(['query', 'resolve Query.echo', 'tracehop.fixture.Echo/Say']);
  });

  test('no traceparent: a new trace, and the operation span is its SERVER root', async () => {
    const yoga = await startYoga({});
    const { json } = await postGraphQL(yoga.url, { query: QUERY });
    const operation = only(tracing.spans(), 'query');
    expect(parentSpanId(operation)).toBeUndefined();
    expect(operation.kind).toBe(SpanKind.SERVER);
    expect(parseTraceparent((json.data!.echo as { traceparent: string }).traceparent)?.traceId).toBe(
      operation.spanContext().traceId,
    );
  });

  test('span names follow the GraphQL semantic conventions; the operation name only on opt-in', async () => {
    const byType = await startYoga({});
    await postGraphQL(byType.url, { query: '{ failing }' });
    await postGraphQL(byType.url, { query: 'query Named { failing }' });
    const typeName = await startYoga({ spanName: 'type-name' });
    await postGraphQL(typeName.url, { query: 'query Named { failing }' });
    await postGraphQL(typeName.url, { query: '{ failing }' });
    expect(tracing.spans().map((span) => span.name)).toEqual(['query', 'query', 'query Named', 'query']);
    // An anonymous operation has no graphql.operation.name.
    expect(tracing.spans()[0]!.attributes['graphql.operation.name']).toBeUndefined();
  });

  test('a request that never reaches execution (syntax error) leaves no dangling span and still answers', async () => {
    const yoga = await startYoga({});
    const { json } = await postGraphQL(yoga.url, { query: '{ echo(' });
    expect(json.errors?.[0]?.message).toMatch(/Syntax Error/);
    expect(tracing.spans()).toEqual([]);
  });

  test('graphql.document is absent by default; opted in, literal values are redacted', async () => {
    const plain = await startYoga({});
    await postGraphQL(plain.url, { query: QUERY });
    expect(only(tracing.spans(), 'query').attributes['graphql.document']).toBeUndefined();
    tracing.exporter.reset();

    const recording = await startYoga({ recordDocument: true });
    await postGraphQL(recording.url, { query: 'query Secret($v: String!) { echo(value: "patient-1234") { value } other: echo(value: $v) { value } }', variables: { v: 'x' } });
    const document = only(tracing.spans(), 'query').attributes['graphql.document'] as string;
    expect(document).not.toContain('patient-1234');
    expect(document).toContain('echo(value: "*")');
    expect(document).toContain('echo(value: $v)');
  });

  test('errors in result.errors are recorded on the operation span with status ERROR', async () => {
    const yoga = await startYoga({});
    const { json } = await postGraphQL(yoga.url, { query: '{ failing }' });
    expect(json.errors?.[0]?.message).toBeDefined();
    const operation = only(tracing.spans(), 'query');
    expect(operation.status.code).toBe(SpanStatusCode.ERROR);
    expect(operation.events.filter((event) => event.name === 'exception')).toHaveLength(1);
  });
});
