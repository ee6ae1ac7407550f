// The inbound decision is made once per request: parse, validate, context
// building and execution share it, even for a batch of operations.
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, expect, test } from 'vitest';
import { useTraceContext } from '../src/index.js';
import { createTracing, installContextManager, listen, postGraphQL, randomTraceparent, type HttpHandle } from './harness.js';

installContextManager();
const tracing = createTracing();
let server: HttpHandle | undefined;
afterAll(() => server?.close());

test('headers are read once per operation, and every operation of a batch continues the same trace', async () => {
  let reads = 0;
  const yoga = createYoga({
    schema: createSchema({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'hi' } } }),
    batching: true,
    logging: false,
    plugins: [
      useTraceContext({
        tracerProvider: tracing.provider,
        getHeaders: (ctx) => {
          reads++;
          return (ctx as { request: { headers: Headers } }).request.headers;
        },
      }),
    ],
  });
  server = await listen(yoga);
  const single = randomTraceparent();
  expect((await postGraphQL(server.url, { query: '{ hello }' }, { traceparent: single.traceparent })).json).toEqual({ data: { hello: 'hi' } });
  // Parse, validate, context building and execute: one read instead of four.
  expect(reads).toBe(1);
  reads = 0;
  tracing.exporter.reset();

  const incoming = randomTraceparent();
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: incoming.traceparent },
    body: JSON.stringify([{ query: '{ hello }' }, { query: 'query Two { hello }' }]),
  });
  expect(await response.json()).toEqual([{ data: { hello: 'hi' } }, { data: { hello: 'hi' } }]);
  const operations = tracing.exporter.getFinishedSpans().filter((s) => s.name === 'query');
  expect(operations).toHaveLength(2);
  for (const span of operations) {
    expect(span.spanContext().traceId).toBe(incoming.traceId);
    expect(span.parentSpanContext?.spanId).toBe(incoming.spanId);
  }
  // Yoga gives each operation of a batch its own context: one read each, not four.
  expect(reads).toBe(2);
});
