// ignoreOperations: introspection, `{ __typename }` probes and named probes
// record no span (real Yoga over HTTP, real grpc-js backend, real SDK), yet
// still run in the caller's trace, so what they call propagates it.
import { diag, DiagLogLevel, propagation, SpanKind, type Context } from '@opentelemetry/api';
import { envelop, useEngine, useSchema } from '@envelop/core';
import * as graphql from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { useTraceContext, type TraceContextOptions } from '../src/index.js';
import type { IgnoredOperationCandidate } from '../src/types.js';
import { parseTraceparent, postGraphQL, randomTraceparent, useTestStack } from './harness.js';

const stack = useTestStack();
const { tracing } = stack;
const warn = vi.fn();

beforeAll(() => {
  diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() }, DiagLogLevel.WARN);
});
afterAll(() => {
  diag.disable();
});
beforeEach(() => {
  warn.mockClear();
});

const typeDefs = /* GraphQL */ `
  type Query {
    ready: Boolean!
    echo: Echo!
  }
  type Echo {
    traceparent: String
    baggage: String
  }
`;
const resolvers = {
  Query: {
    ready: () => true,
    // A probe that checks the backend: the gRPC call it makes must carry the caller's trace.
    async echo() {
      const seen = await stack.backend.say('probe');
      return { traceparent: seen.traceparent, baggage: seen.baggage };
    },
  },
};

async function startYoga(options: TraceContextOptions): Promise<string> {
  const handle = await stack.serve(
    createYoga({
      schema: createSchema({ typeDefs, resolvers }),
      logging: false,
      plugins: [useTraceContext({ tracerProvider: tracing.provider, resolverSpans: true, ...options })],
    }),
  );
  return handle.url;
}

const INTROSPECTION = graphql.getIntrospectionQuery(); // what GraphiQL and codegen send
const names = () => tracing.spans().map((span) => span.name).sort();

describe('introspection: true', () => {
  test("GraphiQL's introspection query and a { __typename } probe record nothing; a real query does", async () => {
    const url = await startYoga({ ignoreOperations: { introspection: true } });
    const introspection = await postGraphQL(url, { query: INTROSPECTION, operationName: 'IntrospectionQuery' });
    expect((introspection.json.data!.__schema as { queryType: { name: string } }).queryType.name).toBe('Query');
    expect((await postGraphQL(url, { query: '{ __typename }' })).json.data).toEqual({ __typename: 'Query' });
    expect((await postGraphQL(url, { query: 'query Probe { __type(name: "Echo") { name } __typename }' })).json.data).toEqual({
      __type: { name: 'Echo' },
      __typename: 'Query',
    });
    expect(tracing.spans()).toEqual([]);

    await postGraphQL(url, { query: '{ ready }' });
    expect(names()).toEqual(['query', 'resolve Query.ready']);
  });

  test('is read from the document: a query that also selects a field of the schema records its span', async () => {
    const url = await startYoga({ ignoreOperations: { introspection: true } });
    await postGraphQL(url, { query: '{ __typename ready }' });
    await postGraphQL(url, { query: '{ ... on Query { __typename } }' }); // not a plain meta field at the root
    expect(names()).toEqual(['query', 'query', 'resolve Query.ready']);
  });
});

describe('names', () => {
  test('a listed operation name records nothing, not even its resolver spans; it still propagates the caller trace and enrich context', async () => {
    const enrich = (ctx: Context) => propagation.setBaggage(ctx, propagation.createBaggage({ 'tenant.id': { value: 't_7' } }));
    const url = await startYoga({ ignoreOperations: { names: ['ReadinessProbe'] }, enrich });
    const incoming = randomTraceparent();
    const { json } = await postGraphQL(url, { query: 'query ReadinessProbe { echo { traceparent baggage } }' }, { traceparent: incoming.traceparent });
    const echo = json.data!.echo as { traceparent: string; baggage: string };

    // The gRPC client span is the backend's (its own interceptor records it), under the caller's span.
    expect(names()).toEqual(['tracehop.fixture.Echo/Say']);
    const grpcClient = tracing.spans()[0]!;
    expect(grpcClient.kind).toBe(SpanKind.CLIENT);
    expect(grpcClient.spanContext().traceId).toBe(incoming.traceId);
    expect(grpcClient.parentSpanContext?.spanId).toBe(incoming.spanId);
    expect(parseTraceparent(echo.traceparent)).toEqual({ traceId: incoming.traceId, spanId: grpcClient.spanContext().spanId });
    expect(echo.baggage).toBe('tenant.id=t_7');
  });

  test('with several operations in one document, the one Yoga runs (operationName) decides', async () => {
    const url = await startYoga({ ignoreOperations: { names: ['ReadinessProbe'] } });
    const query = 'query ReadinessProbe { ready } query Dashboard { ready }';
    await postGraphQL(url, { query, operationName: 'ReadinessProbe' });
    expect(names()).toEqual([]);
    await postGraphQL(url, { query, operationName: 'Dashboard' });
    expect(names()).toEqual(['query', 'resolve Query.ready']);
  });
});

describe('match', () => {
  test('sees name, type, document and the GraphQL context; its answer decides', async () => {
    const seen: IgnoredOperationCandidate[] = [];
    const url = await startYoga({
      ignoreOperations: {
        match: (operation) => {
          seen.push(operation);
          return (operation.graphqlContext as { request: Request }).request.headers.get('user-agent') === 'kube-probe/1.29';
        },
      },
    });
    await postGraphQL(url, { query: 'query Ready { ready }' }, { 'user-agent': 'kube-probe/1.29' });
    expect(names()).toEqual([]);
    await postGraphQL(url, { query: 'query Ready { ready }' }, { 'user-agent': 'ward-app/2.3' });
    expect(names()).toEqual(['query', 'resolve Query.ready']);
    expect(seen.map(({ name, type, document }) => ({ name, type, kind: document.kind }))).toEqual([
      { name: 'Ready', type: 'query', kind: 'Document' },
      { name: 'Ready', type: 'query', kind: 'Document' },
    ]);
  });

  test('that throws: the operation records its spans, the request succeeds, diag warns once', async () => {
    const url = await startYoga({
      ignoreOperations: {
        match: () => {
          throw new Error('match broke');
        },
      },
    });
    expect((await postGraphQL(url, { query: '{ ready }' })).json.data).toEqual({ ready: true });
    expect(names()).toEqual(['query', 'resolve Query.ready']);
    expect(warn.mock.calls.map(([message]) => String(message))).toEqual(['tracehop: the ignoreOperations match threw; the operation records spans (match broke)']);
  });
});

describe('plain envelop', () => {
  const schema = graphql.buildSchema('type Query { ready: Boolean! }');
  const run = async (options: TraceContextOptions, query: string, operationName?: string) => {
    const getEnveloped = envelop({ plugins: [useEngine(graphql), useSchema(schema), useTraceContext({ tracerProvider: tracing.provider, ...options })] });
    const { parse, execute, contextFactory, schema: envelopedSchema } = getEnveloped({});
    return execute({ schema: envelopedSchema, document: parse(query), operationName, contextValue: await contextFactory(), rootValue: { ready: true } });
  };

  test('decides from the document getEnveloped().parse produced', async () => {
    expect(await run({ ignoreOperations: { introspection: true } }, '{ __typename }')).toEqual({ data: { __typename: 'Query' } });
    expect(tracing.spans()).toEqual([]);
  });

  test('several operations and no operationName in the context: it cannot tell which will run, so it records', async () => {
    await run({ ignoreOperations: { names: ['Probe'] } }, 'query Probe { ready } query Other { ready }', 'Probe');
    expect(names()).toEqual(['query']);
  });
});

test('the option is checked when the plugin is created', () => {
  expect(() => useTraceContext({ ignoreOperations: { names: 'Probe' as never } })).toThrow(
    new TypeError('useTraceContext: option "ignoreOperations.names" must be an array of operation names, got string "Probe"'),
  );
  expect(() => useTraceContext({ ignoreOperations: { introspecton: true } as never })).toThrow(
    new TypeError('useTraceContext: unknown option "ignoreOperations.introspecton"; did you mean "ignoreOperations.introspection"?'),
  );
});
