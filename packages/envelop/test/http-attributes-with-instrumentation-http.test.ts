// httpAttributes next to @opentelemetry/instrumentation-http: its SERVER span
// has the HTTP attributes; the operation span under it is INTERNAL and gets
// none, and does not wait for the response. One set of HTTP attributes per
// request, never two.
import { createRequire } from 'node:module';
import { propagation, SpanKind } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, expect, test } from 'vitest';
import { useTraceContext } from '../src/index.js';
import { createTracing, installContextManager, listen, only, parentSpanId, postGraphQL } from './harness.js';

installContextManager();
const tracing = createTracing();
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
const http = new HttpInstrumentation();
http.setTracerProvider(tracing.provider);
http.enable();
createRequire(import.meta.url)('node:http');
afterAll(() => http.disable());

test('the INTERNAL operation span under the HTTP span gets no HTTP attribute', async () => {
  const schema = createSchema({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'world' } } });
  const server = await listen(createYoga({ schema, plugins: [useTraceContext({ tracerProvider: tracing.provider, httpAttributes: true })], logging: false }));
  try {
    const { status } = await postGraphQL(server.url, { query: '{ hello }' });
    expect(status).toBe(200);
  } finally {
    await server.close();
  }
  const spans = tracing.spans();
  const httpSpan = spans.find((span) => span.kind === SpanKind.SERVER && span.instrumentationScope.name.includes('instrumentation-http'));
  expect(httpSpan?.attributes['http.request.method']).toBe('POST');
  const operation = only(spans, 'query');
  expect(operation.kind).toBe(SpanKind.INTERNAL);
  expect(parentSpanId(operation)).toBe(httpSpan!.spanContext().spanId);
  expect(operation.attributes).toEqual({ 'graphql.operation.type': 'query' });
});
