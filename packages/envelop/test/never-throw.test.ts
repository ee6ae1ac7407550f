// Issue 23.2: a tracer that throws (an SDK, a span processor, a sampler)
// never fails an operation or a resolver: they run without their span, and
// diag warns (core's neverThrow).
import { diag, DiagLogLevel, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { useTraceContext } from '../src/index.js';
import { createTracing, installContextManager } from './harness.js';

installContextManager();
const tracing = createTracing();
const warn = vi.fn();
beforeAll(() => diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() }, DiagLogLevel.WARN));
afterAll(() => diag.disable());

/** Starts the operation span, then throws for every resolver span. */
function resolverSpansThrow(): TracerProvider {
  const real = tracing.provider.getTracer('test');
  const tracer: Tracer = {
    startSpan(name, options, parent) {
      if (name.startsWith('resolve ')) throw new Error('the SDK broke');
      return real.startSpan(name, options, parent);
    },
    startActiveSpan: real.startActiveSpan.bind(real) as Tracer['startActiveSpan'],
  };
  return { getTracer: () => tracer };
}

test('resolver spans whose tracer throws: every resolver runs and returns, the operation span ends', async () => {
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'type Query { hello: String, later: String }',
      resolvers: { Query: { hello: () => 'world', later: async () => 'soon' } },
    }),
    logging: false,
    plugins: [useTraceContext({ tracerProvider: resolverSpansThrow(), resolverSpans: true })],
  });
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ hello later }' }),
  });
  expect(await response.json()).toEqual({ data: { hello: 'world', later: 'soon' } });
  expect(tracing.spans().map((span) => span.name)).toEqual(['query']);
  const contained = warn.mock.calls.filter(([message]) => String(message).startsWith('tracehop: the tracer threw starting a span'));
  expect(contained).toHaveLength(2);
});
