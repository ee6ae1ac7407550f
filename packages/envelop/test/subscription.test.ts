// Subscriptions over Yoga's SSE. The source generator and every
// per-event resolver run when the SSE writer pulls the next value, outside
// any request context; their spans and gRPC calls must still carry the
// subscription's trace.
import { trace } from '@opentelemetry/api';
import { createSchema, createYoga } from 'graphql-yoga';
import { beforeAll, expect, test } from 'vitest';
import { useTraceContext } from '../src/index.js';
import { only, parentSpanId, parseTraceparent, randomTraceparent, useTestStack, type HttpHandle } from './harness.js';

const stack = useTestStack();
const { tracing } = stack;
let yoga: HttpHandle;

interface Tick {
  n: number;
  sourceTraceparent: string;
  sourceActiveSpan: string;
  eventTraceparent: string;
  eventActiveSpan: string;
}

beforeAll(async () => {
  const activeSpanId = () => trace.getActiveSpan()?.spanContext().spanId ?? 'none';
  const schema = createSchema({
    typeDefs: /* GraphQL */ `
      type Query { ok: Boolean }
      type Subscription { ticks(count: Int!): Tick! }
      type Tick { n: Int! sourceTraceparent: String! sourceActiveSpan: String! eventTraceparent: String! eventActiveSpan: String! }
    `,
    resolvers: {
      Subscription: {
        ticks: {
          async *subscribe(_: unknown, { count }: { count: number }) {
            for (let n = 0; n < count; n++) {
              // Let the other subscription interleave between events.
              await new Promise((resolve) => setTimeout(resolve, 2));
              const seen = await stack.backend.say(`source ${n}`);
              yield { ticks: { n, sourceTraceparent: seen.traceparent, sourceActiveSpan: activeSpanId() } };
            }
          },
        },
      },
      Tick: {
        async eventTraceparent() {
          return (await stack.backend.say('event')).traceparent;
        },
        eventActiveSpan: () => activeSpanId(),
      },
    },
  });
  yoga = await stack.serve(createYoga({ schema, plugins: [useTraceContext({ tracerProvider: tracing.provider })], logging: false }));
});

/** Subscribes over SSE and reads events until the server completes the stream. */
async function subscribe(count: number, traceparent: string): Promise<Tick[]> {
  const response = await fetch(yoga.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', traceparent },
    body: JSON.stringify({
      query: `subscription Ticks($count: Int!) { ticks(count: $count) { n sourceTraceparent sourceActiveSpan eventTraceparent eventActiveSpan } }`,
      variables: { count },
    }),
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const text = await response.text(); // ends when the subscription completes
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line.length > 'data: '.length)
    .map((line) => JSON.parse(line.slice('data: '.length)) as { data?: { ticks: Tick }; errors?: unknown })
    .filter((payload) => payload.data)
    .map((payload) => payload.data!.ticks);
}

test('the source iterator and each per-event resolver run in the subscription\'s trace, under its span', async () => {
  const incoming = randomTraceparent();
  const ticks = await subscribe(3, incoming.traceparent);
  expect(ticks.map((tick) => tick.n)).toEqual([0, 1, 2]);

  const spans = tracing.spans();
  const subscription = only(spans, 'subscription');
  expect(subscription.spanContext().traceId).toBe(incoming.traceId);
  expect(parentSpanId(subscription)).toBe(incoming.spanId);
  expect(subscription.attributes['graphql.operation.name']).toBe('Ticks');
  const subscriptionSpanId = subscription.spanContext().spanId;

  for (const tick of ticks) {
    expect(tick.sourceActiveSpan).toBe(subscriptionSpanId);
    expect(tick.eventActiveSpan).toBe(subscriptionSpanId);
    expect(parseTraceparent(tick.sourceTraceparent)?.traceId).toBe(incoming.traceId);
    expect(parseTraceparent(tick.eventTraceparent)?.traceId).toBe(incoming.traceId);
  }
  // 3 source calls + 3 event calls, all children of the subscription span.
  const grpcSpans = spans.filter((span) => span.name === 'tracehop.fixture.Echo/Say');
  expect(grpcSpans).toHaveLength(6);
  expect(grpcSpans.every((span) => parentSpanId(span) === subscriptionSpanId)).toBe(true);
  // The subscription span ended when the stream completed, after every event
  // (spans are exported in the order they end).
  expect(spans.indexOf(subscription)).toBe(spans.length - 1);
});

test('two interleaved subscriptions each keep their own trace for every event', async () => {
  const first = randomTraceparent();
  const second = randomTraceparent();
  const [a, b] = await Promise.all([subscribe(4, first.traceparent), subscribe(4, second.traceparent)]);
  for (const tick of a) {
    expect(parseTraceparent(tick.sourceTraceparent)?.traceId).toBe(first.traceId);
    expect(parseTraceparent(tick.eventTraceparent)?.traceId).toBe(first.traceId);
  }
  for (const tick of b) {
    expect(parseTraceparent(tick.sourceTraceparent)?.traceId).toBe(second.traceId);
    expect(parseTraceparent(tick.eventTraceparent)?.traceId).toBe(second.traceId);
  }
  expect(tracing.spans().filter((span) => span.name === 'subscription')).toHaveLength(2);
});
