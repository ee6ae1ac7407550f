// Plain envelop under another server — graphql-http's node
// handler on node:http, where the context carries Node's `req`.
import { trace } from '@opentelemetry/api';
import { envelop, useEngine, useSchema } from '@envelop/core';
import fc from 'fast-check';
import * as graphql from 'graphql';
import { createHandler } from 'graphql-http/lib/use/http';
import { beforeAll, expect, test } from 'vitest';
import { useTraceContext, type TraceContextOptions } from '../src/index.js';
import { only, parentSpanId, parseTraceparent, postGraphQL, randomTraceparent, useTestStack, type HttpHandle } from './harness.js';

const stack = useTestStack();
const { tracing } = stack;
let server: HttpHandle;

const schema = graphql.buildSchema('type Query { probe: String! }');
const rootValue = {
  async probe() {
    const seen = await stack.backend.say('plain');
    return JSON.stringify({ active: trace.getActiveSpan()?.spanContext(), traceparent: seen.traceparent });
  },
};

function envelopFor(options: TraceContextOptions) {
  return envelop({
    plugins: [useEngine(graphql), useSchema(schema), useTraceContext({ tracerProvider: tracing.provider, ...options })],
  });
}

beforeAll(async () => {
  const getEnveloped = envelopFor({});
  // The envelop recipe for graphql-http: envelop builds the arguments, graphql-http runs them.
  const handler = createHandler({
    schema,
    async onSubscribe(req, params) {
      const { parse, validate, contextFactory, execute, schema: envelopedSchema } = getEnveloped({ req: req.raw });
      const document = parse(params.query);
      const errors = validate(envelopedSchema, document);
      if (errors.length > 0) return errors;
      return {
        schema: envelopedSchema,
        document,
        operationName: params.operationName,
        variableValues: params.variables,
        contextValue: await contextFactory(),
        rootValue: { ...rootValue, [ENVELOPED_EXECUTE]: execute },
      };
    },
    execute: (args) => (args.rootValue as Record<symbol, typeof graphql.execute>)[ENVELOPED_EXECUTE]!(args),
  });
  server = await stack.serve(handler);
});
const ENVELOPED_EXECUTE = Symbol('enveloped execute');

test('graphql-http on node:http: the trace is read from req.headers and reaches the gRPC server', async () => {
  const incoming = randomTraceparent();
  const { status, json } = await postGraphQL(server.url, { query: 'query Plain { probe }' }, { traceparent: incoming.traceparent });
  expect(status).toBe(200);
  const probe = JSON.parse(json.data!.probe as string) as { active: { traceId: string; spanId: string }; traceparent: string };

  const spans = tracing.spans();
  const operation = only(spans, 'query');
  expect(operation.spanContext().traceId).toBe(incoming.traceId);
  expect(parentSpanId(operation)).toBe(incoming.spanId);
  expect(operation.attributes['graphql.operation.name']).toBe('Plain');
  expect(probe.active.spanId).toBe(operation.spanContext().spanId);
  const grpcClient = only(spans, 'tracehop.fixture.Echo/Say');
  expect(parseTraceparent(probe.traceparent)).toEqual({ traceId: incoming.traceId, spanId: grpcClient.spanContext().spanId });
});

test('a custom getHeaders serves servers whose context has neither request nor req', async () => {
  const incoming = randomTraceparent();
  const getEnveloped = envelopFor({ getHeaders: (ctx) => (ctx as { metadata: Record<string, string> }).metadata });
  const { parse, execute, contextFactory } = getEnveloped({ metadata: { traceparent: incoming.traceparent } });
  const result = await execute({ schema, document: parse('{ probe }'), rootValue, contextValue: await contextFactory() });
  expect(result).not.toHaveProperty('errors');
  expect(only(tracing.spans(), 'query').spanContext().traceId).toBe(incoming.traceId);
});

test('property: whatever getHeaders returns, execution succeeds and runs in a valid trace', async () => {
  await fc.assert(
    fc.asyncProperty(fc.anything({ withMap: true, withSet: true, withNullPrototype: true, withBigInt: true }), async (carrier) => {
      const getEnveloped = envelopFor({ getHeaders: () => carrier as never, trust: { acceptBaggage: true } });
      const { parse, execute, contextFactory } = getEnveloped({});
      const result = (await execute({ schema, document: parse('{ probe }'), rootValue, contextValue: await contextFactory() })) as graphql.ExecutionResult;
      expect(result.errors).toBeUndefined();
      const probe = JSON.parse(result.data!.probe as string) as { active: { traceId: string } };
      expect(parseTraceparent(`00-${probe.active.traceId}-0000000000000001-01`)).toBeDefined();
    }),
    { numRuns: 100 },
  );
});
