// Where the once-per-request inbound decision is kept: on the GraphQL context
// object, invisibly, and in a side table when that object cannot take it.
import { envelop, useEngine, useSchema } from '@envelop/core';
import * as graphql from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, expect, test } from 'vitest';
import { useTraceContext } from '../src/index.js';
import { createTracing, installContextManager, listen, only, postGraphQL, randomTraceparent, type HttpHandle } from './harness.js';

installContextManager();
const tracing = createTracing();
let server: HttpHandle | undefined;
afterAll(() => server?.close());

test('the decision never shows on the GraphQL context: a spread or JSON of it carries nothing of tracehop', async () => {
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'type Query { kept: [String!]!, copied: [String!]! }',
      resolvers: {
        Query: {
          kept: (_source, _args, graphqlContext: object) => Object.getOwnPropertySymbols(graphqlContext).map(String),
          // What a resolver that copies its context (or a logger that spreads it) carries along.
          copied: (_source, _args, graphqlContext: object) => [
            ...Object.getOwnPropertySymbols({ ...graphqlContext }).map(String),
            ...Object.keys(graphqlContext),
          ],
        },
      },
    }),
    logging: false,
    plugins: [useTraceContext({ tracerProvider: tracing.provider })],
  });
  server = await listen(yoga);
  const incoming = randomTraceparent();
  const { json } = await postGraphQL(server.url, { query: '{ kept copied }' }, { traceparent: incoming.traceparent });
  const { kept, copied } = (json as { data: { kept: string[]; copied: string[] } }).data;
  expect(kept.filter((entry) => entry.includes('tracehop'))).toHaveLength(1);
  expect(copied.filter((entry) => entry.includes('tracehop'))).toEqual([]);
  expect(only(tracing.exporter.getFinishedSpans(), 'query').spanContext().traceId).toBe(incoming.traceId);
});

test('a frozen GraphQL context still gets one header read per request and the caller\'s trace', async () => {
  tracing.exporter.reset();
  let reads = 0;
  const getEnveloped = envelop({
    plugins: [
      useEngine(graphql),
      useSchema(graphql.buildSchema('type Query { hello: String }')),
      useTraceContext({
        tracerProvider: tracing.provider,
        getHeaders: (graphqlContext) => {
          reads++;
          return (graphqlContext as { headers: Record<string, string> }).headers;
        },
      }),
    ],
  });
  const incoming = randomTraceparent();
  const frozen = Object.freeze({ headers: { traceparent: incoming.traceparent } });
  const { parse: parseFn, validate: validateFn, execute: executeFn, schema } = getEnveloped(frozen);
  const document = parseFn('{ hello }');
  expect(validateFn(schema, document)).toEqual([]);
  const result = await executeFn({ schema, document, contextValue: frozen, rootValue: { hello: () => 'hi' } });

  expect(result).toEqual({ data: { hello: 'hi' } });
  expect(reads).toBe(1);
  const span = only(tracing.exporter.getFinishedSpans(), 'query');
  expect(span.spanContext().traceId).toBe(incoming.traceId);
  expect(span.parentSpanContext?.spanId).toBe(incoming.spanId);
});
