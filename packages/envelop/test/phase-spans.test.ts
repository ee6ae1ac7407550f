// phaseSpans: graphql.parse, graphql.validate and graphql.execute (or
// graphql.subscribe) under the operation span, within its time, with
// resolvers and the gRPC calls they make under graphql.execute. Real Yoga over
// HTTP, a real grpc-js backend, the real SDK with an in-memory exporter.
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { hrTimeToMicroseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, test } from 'vitest';
import { useTraceContext, type TraceContextOptions } from '../src/index.js';
import { only, parentSpanId, postGraphQL, randomTraceparent, useTestStack } from './harness.js';

const stack = useTestStack();
const { tracing } = stack;

const schema = () =>
  createSchema({
    typeDefs: /* GraphQL */ `
      type Query {
        echo: String
        activeSpan: String
      }
      type Subscription {
        ticks(count: Int!): Int!
      }
    `,
    resolvers: {
      Query: {
        echo: async () => (await stack.backend.say('phase')).traceparent,
        activeSpan: () => trace.getActiveSpan()?.spanContext().spanId,
      },
      Subscription: {
        ticks: {
          async *subscribe(_: unknown, { count }: { count: number }) {
            for (let n = 0; n < count; n++) yield { ticks: n };
          },
        },
      },
    },
  });

async function startYoga(options: TraceContextOptions): Promise<string> {
  const handle = await stack.serve(createYoga({ schema: schema(), logging: false, plugins: [useTraceContext({ tracerProvider: tracing.provider, ...options })] }));
  return handle.url;
}

const start = (span: ReadableSpan) => hrTimeToMicroseconds(span.startTime);
const end = (span: ReadableSpan) => hrTimeToMicroseconds(span.endTime);

describe('phaseSpans: true', () => {
  test('parse, validate, execute nest under the operation span, in order and within its time; resolvers and gRPC calls under execute', async () => {
    const url = await startYoga({ phaseSpans: true, resolverSpans: true });
    const incoming = randomTraceparent();
    const { json } = await postGraphQL(url, { query: 'query Q { echo activeSpan }' }, { traceparent: incoming.traceparent });

    const spans = tracing.spans();
    const operation = only(spans, 'query');
    const [parse, validate, execute] = ['graphql.parse', 'graphql.validate', 'graphql.execute'].map((name) => only(spans, name));
    expect(parentSpanId(operation)).toBe(incoming.spanId);
    for (const phase of [parse!, validate!, execute!]) {
      expect(phase.kind).toBe(SpanKind.INTERNAL);
      expect(phase.spanContext().traceId).toBe(incoming.traceId);
      expect(parentSpanId(phase)).toBe(operation.spanContext().spanId);
      expect(start(phase)).toBeGreaterThanOrEqual(start(operation));
      expect(end(phase)).toBeLessThanOrEqual(end(operation));
      expect(end(phase)).toBeGreaterThanOrEqual(start(phase));
    }
    expect(end(parse!)).toBeLessThanOrEqual(start(validate!));
    expect(end(validate!)).toBeLessThanOrEqual(start(execute!));

    // Resolver spans (and what a resolver calls) nest under graphql.execute.
    const resolver = only(spans, 'resolve Query.echo');
    expect(parentSpanId(resolver)).toBe(execute!.spanContext().spanId);
    expect(parentSpanId(only(spans, 'tracehop.fixture.Echo/Say'))).toBe(resolver.spanContext().spanId);
    // A resolver without its own span runs with graphql.execute active.
    expect(json.data!.activeSpan).toBe(only(spans, 'resolve Query.activeSpan').spanContext().spanId);
  });

  test('a subscription: graphql.subscribe instead of graphql.execute', async () => {
    const url = await startYoga({ phaseSpans: true });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { ticks(count: 2) }' }),
    });
    await response.text();
    const spans = tracing.spans();
    const operation = only(spans, 'subscription');
    expect(spans.map((span) => span.name).sort()).toEqual(['graphql.parse', 'graphql.subscribe', 'graphql.validate', 'subscription']);
    for (const span of spans) if (span !== operation) expect(parentSpanId(span)).toBe(operation.spanContext().spanId);
  });

  test('an ignored operation records no phase span either', async () => {
    const url = await startYoga({ phaseSpans: true, ignoreOperations: { introspection: true } });
    await postGraphQL(url, { query: '{ __typename }' });
    expect(tracing.spans()).toEqual([]);
  });

  test('a document that does not parse runs no operation: no span at all, and the next request is not affected', async () => {
    const url = await startYoga({ phaseSpans: true });
    await postGraphQL(url, { query: '{ echo(' });
    expect(tracing.spans()).toEqual([]);
    await postGraphQL(url, { query: '{ activeSpan }' });
    expect(tracing.spans().map((span) => span.name).sort()).toEqual(['graphql.execute', 'graphql.parse', 'graphql.validate', 'query']);
  });

  test('needs recordSpans: with recordSpans: false there is no phase span', async () => {
    const url = await startYoga({ phaseSpans: true, recordSpans: false });
    await postGraphQL(url, { query: '{ activeSpan }' });
    expect(tracing.spans()).toEqual([]);
  });
});

test('off by default: only the operation span', async () => {
  const url = await startYoga({});
  await postGraphQL(url, { query: '{ activeSpan }' });
  const spans = tracing.spans();
  expect(spans.map((span) => span.name)).toEqual(['query']);
  expect(spans[0]!.status.code).toBe(SpanStatusCode.UNSET);
});
