// A client chooses its operation names freely. Whatever it sends, the names
// tracehop records (attribute and span name) form a fixed set, so metrics
// computed from spans and a trace backend's name index stay bounded.
import { createSchema, createYoga } from 'graphql-yoga';
import { beforeEach, expect, test } from 'vitest';
import { useTraceContext, type TraceContextOptions } from '../src/index.js';
import { OTHER_OPERATION_NAME } from '../src/operation-names.js';
import { createTracing, installContextManager } from './harness.js';

installContextManager();
const tracing = createTracing();
beforeEach(() => tracing.exporter.reset());

function yogaWith(options: TraceContextOptions) {
  return createYoga({
    schema: createSchema({ typeDefs: 'type Query { ok: Boolean }', resolvers: { Query: { ok: () => true } } }),
    logging: false,
    plugins: [useTraceContext({ tracerProvider: tracing.provider, spanName: 'type-name', ...options })],
  });
}

async function flood(yoga: ReturnType<typeof yogaWith>, names: string[]): Promise<void> {
  for (const name of names) {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `query ${name} { ok }` }),
    });
    expect(response.status).toBe(200);
  }
}

const distinct = (values: unknown[]) => new Set(values).size;

test('10,000 distinct names with the default: at most the first 100 plus _OTHER, in attributes and span names', async () => {
  const names = Array.from({ length: 10_000 }, (_, i) => `Flood${i}`);
  await flood(yogaWith({}), names);
  const spans = tracing.spans();
  expect(spans).toHaveLength(10_000);
  const recorded = spans.map((span) => span.attributes['graphql.operation.name']);
  expect(distinct(recorded)).toBe(101);
  expect(recorded.slice(0, 100)).toEqual(names.slice(0, 100));
  expect(recorded.slice(100).every((name) => name === OTHER_OPERATION_NAME)).toBe(true);
  expect(distinct(spans.map((span) => span.name))).toBe(101);
  expect(spans.at(-1)!.name).toBe('query _OTHER');
}, 180_000); // 10,000 requests through Yoga take 10-50 s on a loaded 2-core machine: a bound on time, not a speed check

test('a list of known operations: only those are recorded as they are', async () => {
  await flood(yogaWith({ operationNames: ['GetPatient'] }), ['GetPatient', 'Evil1', 'Evil2', 'GetPatient']);
  expect(tracing.spans().map((span) => span.attributes['graphql.operation.name'])).toEqual(['GetPatient', '_OTHER', '_OTHER', 'GetPatient']);
});

test('a predicate decides, and a 129-character name is never kept by it', async () => {
  const long = `A${'a'.repeat(128)}`;
  await flood(yogaWith({ operationNames: (name) => name.startsWith('A') }), ['Allowed', 'Denied', long]);
  expect(tracing.spans().map((span) => span.attributes['graphql.operation.name'])).toEqual(['Allowed', '_OTHER', '_OTHER']);
});

test('operationNames that cannot work are refused when the plugin is built', () => {
  expect(() => useTraceContext({ operationNames: -1 })).toThrow(
    new TypeError(
      'useTraceContext: option "operationNames" must be an array of operation names, a function (name) => boolean or a non-negative integer, got number -1',
    ),
  );
});
