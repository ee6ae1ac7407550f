// Coexistence with @opentelemetry/instrumentation-http: its SERVER span is
// already active when the operation starts, so it is the parent, nothing is
// extracted over it, and the operation span is INTERNAL. The baggage it
// extracted still goes through our trust policy.
import { createRequire } from 'node:module';
import { propagation, SpanKind } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeEach, expect, test } from 'vitest';
import { useTraceContext, type TraceContextOptions } from '../src/index.js';
import { baggageOf, createTracing, installContextManager, listen, only, parentSpanId, postGraphQL, randomTraceparent, type HttpHandle } from './harness.js';

installContextManager();
const tracing = createTracing();
// The app's setup, as instrumentation-http needs it: a global propagator and the instrumentation enabled.
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
const http = new HttpInstrumentation();
http.setTracerProvider(tracing.provider);
http.enable();
// require-in-the-middle patches `http` when it is required; ESM imports share the patched prototype.
createRequire(import.meta.url)('node:http');

const servers: HttpHandle[] = [];
async function serve(options: TraceContextOptions): Promise<string> {
  const schema = createSchema({
    typeDefs: 'type Query { baggage: String }',
    resolvers: { Query: { baggage: () => JSON.stringify(baggageOf()) } },
  });
  const handle = await listen(createYoga({ schema, plugins: [useTraceContext({ tracerProvider: tracing.provider, ...options })], logging: false }));
  servers.push(handle);
  return handle.url;
}

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  http.disable();
});
beforeEach(() => tracing.exporter.reset());

test('the HTTP server span is the parent; the operation span is INTERNAL; its baggage is filtered by our policy', async () => {
  const url = await serve({});
  const incoming = randomTraceparent();
  const { json } = await postGraphQL(url, { query: '{ baggage }' }, { traceparent: incoming.traceparent, baggage: 'tenant.id=forged' });

  const spans = tracing.spans();
  const httpSpan = spans.find((span) => span.kind === SpanKind.SERVER && span.instrumentationScope.name.includes('instrumentation-http'));
  expect(httpSpan, spans.map((span) => `${span.name} ${span.instrumentationScope.name}`).join('; ')).toBeDefined();
  const operation = only(spans, 'query');
  expect(operation.kind).toBe(SpanKind.INTERNAL);
  expect(parentSpanId(httpSpan!)).toBe(incoming.spanId);
  expect(parentSpanId(operation)).toBe(httpSpan!.spanContext().spanId);
  expect(operation.spanContext().traceId).toBe(incoming.traceId);
  // The public edge refuses inbound baggage even when another library extracted it.
  expect(JSON.parse(json.data!.baggage as string)).toEqual({});
});

test('allowed baggage keys survive under the HTTP span', async () => {
  const url = await serve({ trust: { acceptBaggage: ['tenant.id'] } });
  const { json } = await postGraphQL(url, { query: '{ baggage }' }, { traceparent: randomTraceparent().traceparent, baggage: 'tenant.id=t1,secret=s' });
  expect(JSON.parse(json.data!.baggage as string)).toEqual({ 'tenant.id': 't1' });
});
