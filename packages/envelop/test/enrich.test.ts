// The enrichment hook: once per operation, after the GraphQL context is built
// (the authenticated principal is there), before the operation span starts
// (span processors see its baggage). It never breaks the request.
import { diag, DiagLogLevel, propagation, trace, type Context } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { useTraceContext, type TraceContextOptions } from '../src/index.js';
import { baggageOf, createTracing, installContextManager, listen, postGraphQL, randomTraceparent, startEchoBackend, type EchoBackend, type HttpHandle } from './harness.js';

installContextManager();

/** What a span processor (like @tracehop/tenant's) sees when a span starts. */
const baggageAtStart = new Map<string, Record<string, string>>();
const recordBaggageAtStart: SpanProcessor = {
  onStart(span: Span, parentContext: Context) {
    baggageAtStart.set(span.spanContext().spanId, baggageOf(parentContext));
  },
  onEnd: () => undefined,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};
const { exporter, provider } = createTracing([recordBaggageAtStart]);

const diagErrors: unknown[][] = [];
diag.setLogger(
  { error: (...args: unknown[]) => diagErrors.push(args), warn: (...args: unknown[]) => diagErrors.push(args), info: () => {}, debug: () => {}, verbose: () => {} },
  DiagLogLevel.WARN,
);

let backend: EchoBackend;
const servers: HttpHandle[] = [];
const enrichCalls: Array<{ traceId: string | undefined; user: unknown }> = [];

interface AppContext {
  user?: { tenant: string };
}

async function serve(enrich: TraceContextOptions['enrich']): Promise<string> {
  const schema = createSchema<AppContext>({
    typeDefs: 'type Query { probe: String! }',
    resolvers: {
      Query: {
        async probe() {
          const seen = await backend.say('probe');
          return JSON.stringify({ baggage: baggageOf(), grpcBaggage: seen.baggage ?? null, span: trace.getActiveSpan()?.spanContext().spanId });
        },
      },
    },
  });
  const yoga = createYoga<object, AppContext>({
    schema,
    batching: true,
    // "Authentication": the principal comes from the request, never from baggage.
    context: ({ request }) => ({ user: request.headers.get('authorization') ? { tenant: request.headers.get('authorization')! } : undefined }),
    plugins: [useTraceContext({ tracerProvider: provider, enrich })],
    logging: false,
  });
  const handle = await listen(yoga);
  servers.push(handle);
  return handle.url;
}

const setTenant = (otelContext: Context, graphqlContext: AppContext): Context => {
  enrichCalls.push({ traceId: trace.getSpanContext(otelContext)?.traceId, user: graphqlContext.user });
  if (!graphqlContext.user) return otelContext;
  const baggage = propagation.getBaggage(otelContext) ?? propagation.createBaggage();
  return propagation.setBaggage(otelContext, baggage.setEntry('tenant.id', { value: graphqlContext.user.tenant }));
};

beforeAll(async () => {
  backend = await startEchoBackend({ clientProvider: provider });
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await backend.close();
});
beforeEach(() => {
  exporter.reset();
  enrichCalls.length = 0;
  diagErrors.length = 0;
  baggageAtStart.clear();
});

test('enrich sees the extracted trace and the authenticated context; its baggage reaches resolvers, span processors and gRPC', async () => {
  const url = await serve(setTenant);
  const incoming = randomTraceparent();
  // A forged tenant in baggage is dropped at the edge; the authenticated one wins.
  const { json } = await postGraphQL(url, { query: '{ probe }' }, { traceparent: incoming.traceparent, authorization: 'hospital-7', baggage: 'tenant.id=forged' });
  const probe = JSON.parse(json.data!.probe as string) as { baggage: Record<string, string>; grpcBaggage: string; span: string };

  expect(enrichCalls).toEqual([{ traceId: incoming.traceId, user: { tenant: 'hospital-7' } }]);
  expect(probe.baggage).toEqual({ 'tenant.id': 'hospital-7' });
  expect(probe.grpcBaggage).toBe('tenant.id=hospital-7');
  // The operation span started after enrich: the processor saw the tenant at onStart.
  expect(baggageAtStart.get(probe.span)).toEqual({ 'tenant.id': 'hospital-7' });
});

test('enrich runs once per operation, also for batched operations sharing one request', async () => {
  const url = await serve(setTenant);
  const { json } = await postGraphQL(url, [{ query: 'query A { probe }' }, { query: 'query B { probe }' }], { authorization: 't' });
  expect(json).toHaveLength(2);
  expect(enrichCalls).toHaveLength(2);
  const operations = exporter.getFinishedSpans().filter((span) => span.name === 'query');
  expect(operations.map((span) => span.attributes['graphql.operation.name']).sort()).toEqual(['A', 'B']);
  // Each operation's resolver ran under its own operation span.
  const resolverSpans = (json as unknown as Array<{ data: { probe: string } }>).map((r) => (JSON.parse(r.data.probe) as { span: string }).span);
  expect(new Set(resolverSpans)).toEqual(new Set(operations.map((span) => span.spanContext().spanId)));
});

test('a throwing enrich is logged through diag and the operation runs un-enriched', async () => {
  const url = await serve(() => {
    throw new Error('enricher bug');
  });
  const incoming = randomTraceparent();
  const { status, json } = await postGraphQL(url, { query: '{ probe }' }, { traceparent: incoming.traceparent, authorization: 't' });
  expect(status).toBe(200);
  expect(json.errors).toBeUndefined();
  expect(JSON.parse(json.data!.probe as string)).toMatchObject({ baggage: {}, grpcBaggage: null });
  expect(exporter.getFinishedSpans().find((span) => span.name === 'query')?.spanContext().traceId).toBe(incoming.traceId);
  expect(diagErrors.some((args) => String(args[0]).includes('enrich threw'))).toBe(true);
});

test('an enrich that returns nothing keeps the extracted context', async () => {
  const url = await serve((() => undefined) as never);
  const incoming = randomTraceparent();
  const { json } = await postGraphQL(url, { query: '{ probe }' }, { traceparent: incoming.traceparent });
  expect(json.errors).toBeUndefined();
  expect(exporter.getFinishedSpans().find((span) => span.name === 'query')?.spanContext().traceId).toBe(incoming.traceId);
  expect(diagErrors.some((args) => String(args[0]).includes('did not return a Context'))).toBe(true);
});
