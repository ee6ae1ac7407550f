// 200 concurrent operations with distinct incoming traces. Every
// resolver, every DataLoader batch and every gRPC call (as the real server
// received it) sees its own trace, never another request's.
import { trace } from '@opentelemetry/api';
import DataLoader from 'dataloader';
import { createSchema, createYoga } from 'graphql-yoga';
import { beforeAll, expect, test } from 'vitest';
import { useTraceContext } from '../src/index.js';
import { parseTraceparent, postGraphQL, randomTraceparent, useTestStack, type HttpHandle } from './harness.js';

const stack = useTestStack();
const { tracing } = stack;
let yoga: HttpHandle;

const activeTraceId = () => trace.getActiveSpan()?.spanContext().traceId ?? 'none';
const jitter = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 10));

interface Seen {
  resolver: string;
  afterAwait: string;
  grpc: string;
  batch: string;
  batchGrpc: string;
}

beforeAll(async () => {
  const schema = createSchema<{ loader: DataLoader<number, { batch: string; batchGrpc: string }> }>({
    typeDefs: 'type Query { probe(id: Int!): String! }',
    resolvers: {
      Query: {
        async probe(_, { id }: { id: number }, { loader }) {
          const resolver = activeTraceId();
          await jitter();
          const afterAwait = activeTraceId();
          const seen = await stack.backend.say(`probe ${id}`);
          const batched = await loader.load(id);
          return JSON.stringify({ resolver, afterAwait, grpc: seen.traceparent, ...batched } satisfies Partial<Seen>);
        },
      },
    },
  });
  yoga = await stack.serve(
    createYoga({
      schema,
      // A DataLoader per request, as DataLoader recommends: its batch function runs in that request's trace.
      context: () => ({
        loader: new DataLoader<number, { batch: string; batchGrpc: string }>(async (ids) => {
          const batch = activeTraceId();
          const seen = await stack.backend.say(`batch ${ids.join(',')}`);
          return ids.map(() => ({ batch, batchGrpc: seen.traceparent ?? 'none' }));
        }),
      }),
      plugins: [useTraceContext({ tracerProvider: tracing.provider })],
      logging: false,
    }),
  );
});

test('200 concurrent operations never see each other\'s trace', async () => {
  const requests = Array.from({ length: 200 }, () => randomTraceparent());
  const results = await Promise.all(
    requests.map(async (incoming) => {
      const { json } = await postGraphQL(
        yoga.url,
        { query: '{ a: probe(id: 1) b: probe(id: 2) }' },
        { traceparent: incoming.traceparent },
      );
      return { incoming, json };
    }),
  );

  let checked = 0;
  for (const { incoming, json } of results) {
    expect(json.errors).toBeUndefined();
    for (const field of ['a', 'b']) {
      const seen = JSON.parse(json.data![field] as string) as Seen;
      expect(seen.resolver).toBe(incoming.traceId);
      expect(seen.afterAwait).toBe(incoming.traceId);
      expect(parseTraceparent(seen.grpc)?.traceId).toBe(incoming.traceId);
      expect(seen.batch).toBe(incoming.traceId);
      expect(parseTraceparent(seen.batchGrpc)?.traceId).toBe(incoming.traceId);
      checked++;
    }
  }
  expect(checked).toBe(400);
  // 2 direct calls + 1 or 2 batch calls per request (jitter may split a batch), all received by the real server.
  const receivedTraceIds = stack.backend.received.map((call) => parseTraceparent(call.traceparent)?.traceId);
  const perTrace = new Map<string | undefined, number>();
  for (const id of receivedTraceIds) perTrace.set(id, (perTrace.get(id) ?? 0) + 1);
  expect([...perTrace.keys()].sort()).toEqual(requests.map((r) => r.traceId).sort());
  expect([...perTrace.values()].every((count) => count === 3 || count === 4)).toBe(true);
  expect(tracing.spans().filter((span) => span.name === 'query')).toHaveLength(200);
});
