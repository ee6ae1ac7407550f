// A throwing resolver gives one ended span with status ERROR;
// fields are wrapped once, so 1,000 sequential requests keep the same depth.
import { SpanStatusCode } from '@opentelemetry/api';
import type { GraphQLSchema } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { useTraceContext } from '../src/index.js';
import { byName, createTracing, installContextManager, listen, only, parentSpanId, postGraphQL, type HttpHandle } from './harness.js';

installContextManager();
const tracing = createTracing();
const servers: HttpHandle[] = [];
const stackDepths: number[] = [];

function buildSchema(): GraphQLSchema {
  return createSchema({
    typeDefs: /* GraphQL */ `
      type Query { throws: String rejects: String depth: Int! team: [Member!]! }
      type Member { name: String! manager: Member }
    `,
    resolvers: {
      Query: {
        throws() {
          throw new Error('sync failure');
        },
        async rejects() {
          await Promise.resolve();
          throw new Error('async failure');
        },
        depth() {
          const previous = Error.stackTraceLimit;
          Error.stackTraceLimit = Infinity;
          const depth = new Error().stack!.split('\n').length;
          Error.stackTraceLimit = previous;
          stackDepths.push(depth);
          return depth;
        },
        team: () => [{ name: 'a' }, { name: 'b' }],
      },
      Member: {
        name: async (member: { name: string }) => member.name.toUpperCase(),
        manager: () => ({ name: 'boss' }),
      },
    },
  });
}

async function serve(schema: GraphQLSchema): Promise<string> {
  const handle = await listen(
    createYoga({ schema, plugins: [useTraceContext({ tracerProvider: tracing.provider, resolverSpans: true })], logging: false, maskedErrors: false }),
  );
  servers.push(handle);
  return handle.url;
}

let url: string;
let schema: GraphQLSchema;
beforeAll(async () => {
  schema = buildSchema();
  url = await serve(schema);
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});
beforeEach(() => tracing.exporter.reset());

describe('a failing resolver', () => {
  test.each([
    ['throws', 'sync failure'],
    ['rejects', 'async failure'],
  ])('Query.%s: exactly one resolver span, ended, status ERROR, exception recorded', async (field, message) => {
    const { json } = await postGraphQL(url, { query: `{ ${field} }` });
    expect(json.errors?.[0]?.message).toBe(message);
    const spans = tracing.spans();
    const resolver = only(spans, `resolve Query.${field}`);
    expect(resolver.ended).toBe(true);
    expect(resolver.status).toEqual({ code: SpanStatusCode.ERROR, message });
    expect(resolver.events.map((event) => [event.name, event.attributes?.['exception.message']])).toEqual([['exception', message]]);
    const operation = only(spans, 'query');
    expect(parentSpanId(resolver)).toBe(operation.spanContext().spanId);
    expect(operation.status.code).toBe(SpanStatusCode.ERROR);
  });
});

test('resolver spans nest by response path, through list items', async () => {
  await postGraphQL(url, { query: '{ team { name manager { name } } }' });
  const spans = tracing.spans();
  const team = only(spans, 'resolve Query.team');
  const managers = byName(spans, 'resolve Member.manager');
  const names = byName(spans, 'resolve Member.name');
  expect(managers).toHaveLength(2);
  expect(names).toHaveLength(4);
  expect(managers.every((span) => parentSpanId(span) === team.spanContext().spanId)).toBe(true);
  const managerIds = new Set(managers.map((span) => span.spanContext().spanId));
  const nameParents = names.map((span) => parentSpanId(span));
  expect(nameParents.filter((id) => id === team.spanContext().spanId)).toHaveLength(2);
  expect(nameParents.filter((id) => managerIds.has(id!))).toHaveLength(2);
  expect(names.map((span) => span.attributes['graphql.field.path']).sort()).toEqual([
    'team.0.manager.name',
    'team.0.name',
    'team.1.manager.name',
    'team.1.name',
  ]);
});

test('1,000 sequential requests: resolvers are wrapped once, the stack depth never grows', async () => {
  const field = schema.getQueryType()!.getFields()['depth']!;
  stackDepths.length = 0;
  await postGraphQL(url, { query: '{ depth }' });
  const wrapped = field.resolve;
  for (let i = 0; i < 999; i++) {
    const { json } = await postGraphQL(url, { query: '{ depth }' });
    expect(json.errors).toBeUndefined();
  }
  expect(stackDepths).toHaveLength(1000);
  expect(new Set(stackDepths).size).toBe(1);
  expect(field.resolve).toBe(wrapped);
  expect(byName(tracing.spans(), 'resolve Query.depth')).toHaveLength(1000);
}, 60_000);

test('a second plugin on the same schema does not wrap again', async () => {
  const field = schema.getQueryType()!.getFields()['depth']!;
  const before = field.resolve;
  stackDepths.length = 0;
  await postGraphQL(url, { query: '{ depth }' });
  const secondUrl = await serve(schema);
  expect(field.resolve).toBe(before);
  await postGraphQL(secondUrl, { query: '{ depth }' });
  expect(stackDepths[0]).toBe(stackDepths[1]);
  // One span per resolver call, not one per plugin instance.
  expect(byName(tracing.spans(), 'resolve Query.depth')).toHaveLength(2);
});
