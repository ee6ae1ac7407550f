// With no options: no globals registered; with no SDK, the trace still passes
// through to gRPC (non-recording spans carry the caller's context); once the
// app registers a provider, the same plugin instance records through it.
import { context, propagation, trace } from '@opentelemetry/api';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { useTraceContext } from '../src/index.js';
import { createTracing, installContextManager, listen, parseTraceparent, postGraphQL, randomTraceparent, startEchoBackend, type EchoBackend, type HttpHandle } from './harness.js';

installContextManager();
let backend: EchoBackend;
let yoga: HttpHandle;

beforeAll(async () => {
  backend = await startEchoBackend();
  const schema = createSchema({
    typeDefs: 'type Query { echo: String }',
    resolvers: { Query: { echo: async () => (await backend.say('x')).traceparent } },
  });
  yoga = await listen(createYoga({ schema, plugins: [useTraceContext()], logging: false }));
});
afterAll(async () => {
  await yoga.close();
  await backend.close();
});

test('no SDK registered: the incoming trace still reaches the gRPC server, and no global was registered', async () => {
  const incoming = randomTraceparent();
  const { json } = await postGraphQL(yoga.url, { query: '{ echo }' }, { traceparent: incoming.traceparent });
  // No spans anywhere: the gRPC call's parent is the caller's own span.
  expect(parseTraceparent(json.data!.echo as string)).toEqual({ traceId: incoming.traceId, spanId: incoming.spanId });

  // Registering succeeds only when nothing was registered before.
  const tracing = createTracing();
  expect(trace.setGlobalTracerProvider(tracing.provider)).toBe(true);
  expect(propagation.fields()).toEqual([]);
  expect(context.active()).toBeDefined();

  // The same plugin instance now records through the app's provider.
  const { json: second } = await postGraphQL(yoga.url, { query: 'query Later { echo }' }, { traceparent: incoming.traceparent });
  const operation = tracing.spans().find((span) => span.name === 'query');
  expect(operation?.attributes['graphql.operation.name']).toBe('Later');
  expect(operation?.spanContext().traceId).toBe(incoming.traceId);
  expect(parseTraceparent(second.data!.echo as string)?.traceId).toBe(incoming.traceId);
});
