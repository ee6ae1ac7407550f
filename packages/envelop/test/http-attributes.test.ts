// httpAttributes: the stable HTTP server attributes on the SERVER operation
// span, from real Yoga over real HTTP (and plain envelop under graphql-http on
// node:http), with the response status once Yoga made the response.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { envelop, useEngine, useSchema } from '@envelop/core';
import * as graphql from 'graphql';
import { createHandler } from 'graphql-http/lib/use/http';
import { createSchema, createYoga, type Plugin as YogaPlugin, type YogaServerOptions } from 'graphql-yoga';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { useTraceContext, type TraceContextOptions } from '../src/index.js';
import { createTracing, installContextManager, listen, only, postGraphQL, type HttpHandle } from './harness.js';

installContextManager();
const tracing = createTracing();
const servers: HttpHandle[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});
beforeEach(() => tracing.exporter.reset());

const schema = createSchema({
  typeDefs: /* GraphQL */ `
    type Query {
      hello: String
      unavailable: String
      forbidden: String
    }
    type Subscription {
      ticks(count: Int!): Int!
    }
  `,
  resolvers: {
    Query: {
      hello: () => 'world',
      // Yoga answers with the status a GraphQLError asks for (extensions.http.status).
      unavailable: () => {
        throw new graphql.GraphQLError('backend down', { extensions: { http: { status: 503 } } });
      },
      forbidden: () => {
        throw new graphql.GraphQLError('not your ward', { extensions: { http: { status: 403 } } });
      },
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

async function startYoga(
  options: TraceContextOptions = { httpAttributes: true },
  yogaOptions: Partial<YogaServerOptions<object, object>> = {},
  before: YogaPlugin[] = [],
): Promise<HttpHandle> {
  const yoga = createYoga({
    schema,
    logging: false,
    batching: true,
    ...yogaOptions,
    plugins: [...before, useTraceContext({ tracerProvider: tracing.provider, ...options })],
  });
  const handle = await listen(yoga, yogaOptions.graphqlEndpoint ?? '/graphql');
  servers.push(handle);
  return handle;
}

const port = (url: string) => Number(new URL(url).port);

describe('Yoga over HTTP', () => {
  test('a POST: method, scheme, path, route, server, user agent, client and peer addresses, protocol version, status code', async () => {
    const yoga = await startYoga();
    const { status } = await postGraphQL(yoga.url, { query: '{ hello }' }, { 'user-agent': 'ward-app/2.3 (iPad)' });
    expect(status).toBe(200);
    const span = only(tracing.spans(), 'query');
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.attributes).toEqual({
      'graphql.operation.type': 'query',
      'http.request.method': 'POST',
      'url.scheme': 'http',
      'url.path': '/graphql',
      'http.route': '/graphql',
      'server.address': '127.0.0.1',
      'server.port': port(yoga.url),
      'user_agent.original': 'ward-app/2.3 (iPad)',
      'client.address': '127.0.0.1',
      'network.peer.address': '127.0.0.1',
      'network.peer.port': expect.any(Number),
      'network.protocol.version': '1.1',
      'http.response.status_code': 200,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  test('a GET: the query string is never recorded (it carries the query and its variables)', async () => {
    const yoga = await startYoga();
    const url = `${yoga.url}?query=${encodeURIComponent('query Q { hello }')}&variables=${encodeURIComponent('{"id":"patient-1234"}')}`;
    const response = await fetch(url, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    const span = only(tracing.spans(), 'query');
    expect(span.attributes).toMatchObject({ 'http.request.method': 'GET', 'url.path': '/graphql', 'http.response.status_code': 200 });
    expect(JSON.stringify(span.attributes)).not.toContain('patient-1234');
    expect(Object.keys(span.attributes).filter((key) => key.startsWith('url.'))).toEqual(['url.scheme', 'url.path']);
  });

  test('http.route is the endpoint Yoga serves', async () => {
    const yoga = await startYoga({ httpAttributes: true }, { graphqlEndpoint: '/api/graphql' });
    await postGraphQL(yoga.url, { query: '{ hello }' });
    expect(only(tracing.spans(), 'query').attributes).toMatchObject({ 'http.route': '/api/graphql', 'url.path': '/api/graphql' });
  });

  test('client.address: the first X-Forwarded-For entry or Forwarded for=, when it is an IP address; else the socket peer', async () => {
    const yoga = await startYoga();
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'x-forwarded-for': '203.0.113.7, 10.0.0.1' }, '203.0.113.7'],
      [{ 'x-forwarded-for': '[2001:db8::1]:4711' }, '2001:db8::1'],
      [{ forwarded: 'for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.1' }, '2001:db8:cafe::17'],
      [{ forwarded: 'for=198.51.100.2:80' }, '198.51.100.2'],
      [{ 'x-forwarded-for': '<script>alert(1)</script>' }, '127.0.0.1'],
      [{ 'x-forwarded-for': 'x'.repeat(5000) }, '127.0.0.1'],
      [{ forwarded: 'for=unknown' }, '127.0.0.1'],
    ];
    for (const [headers] of cases) await postGraphQL(yoga.url, { query: '{ hello }' }, headers);
    expect(tracing.spans().map((span) => span.attributes['client.address'])).toEqual(cases.map(([, expected]) => expected));
  });

  test('a value the client chooses is capped: the user agent at 512 characters', async () => {
    const yoga = await startYoga();
    await postGraphQL(yoga.url, { query: '{ hello }' }, { 'user-agent': 'u'.repeat(4000) });
    const span = only(tracing.spans(), 'query');
    expect(span.attributes['user_agent.original']).toBe('u'.repeat(512));
  });

  test('a 5xx the resolver asked for: status code, error.type, status ERROR keeping the GraphQL error message', async () => {
    const yoga = await startYoga();
    const { status } = await postGraphQL(yoga.url, { query: '{ unavailable }' });
    expect(status).toBe(503);
    const span = only(tracing.spans(), 'query');
    expect(span.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503' });
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'backend down' });
  });

  test('a 5xx with no GraphQL error (a plugin replaced the response): status ERROR "HTTP 502"', async () => {
    const gateway: YogaPlugin = { onResponse: ({ setResponse }) => setResponse(new Response(null, { status: 502 })) };
    const yoga = await startYoga({ httpAttributes: true }, {}, [gateway]);
    const response = await fetch(yoga.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ hello }' }) });
    expect(response.status).toBe(502);
    const span = only(tracing.spans(), 'query');
    expect(span.attributes).toMatchObject({ 'http.response.status_code': 502, 'error.type': '502' });
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'HTTP 502' });
  });

  test('a 4xx is not a server error: no error.type; the status is the GraphQL error it already was', async () => {
    const yoga = await startYoga();
    const { status } = await postGraphQL(yoga.url, { query: '{ forbidden }' });
    expect(status).toBe(403);
    const span = only(tracing.spans(), 'query');
    expect(span.attributes['http.response.status_code']).toBe(403);
    expect(span.attributes['error.type']).toBeUndefined();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'not your ward' });
  });

  test('a batched request: every operation span gets the one response status', async () => {
    const yoga = await startYoga();
    const { status } = await postGraphQL(yoga.url, [{ query: '{ hello }' }, { query: 'query Second { hello }' }]);
    expect(status).toBe(200);
    const spans = tracing.spans();
    expect(spans).toHaveLength(2);
    for (const span of spans) expect(span.attributes['http.response.status_code']).toBe(200);
  });

  test('a subscription over SSE: the status arrives with the stream, the span ends when the stream does', async () => {
    const yoga = await startYoga();
    const response = await fetch(yoga.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { ticks(count: 3) }' }),
    });
    expect(response.status).toBe(200);
    const body = await response.text(); // the server completes the stream after 3 events
    expect(body.match(/"ticks":\d/g)).toEqual(['"ticks":0', '"ticks":1', '"ticks":2']);
    const span = only(tracing.spans(), 'subscription');
    expect(span.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 200 });
  });

  test('a response hook that throws before ours: the span still ends (released when the request settles), without a status', async () => {
    const broken: YogaPlugin = {
      onResponse: () => {
        throw new Error('a response plugin broke');
      },
    };
    const yoga = await startYoga({ httpAttributes: true }, {}, [broken]);
    const response = await fetch(yoga.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ hello }' }) });
    expect(response.status).toBe(500); // whatwg-node's answer to a handler that threw
    const span = only(tracing.spans(), 'query');
    expect(span.attributes['http.response.status_code']).toBeUndefined();
    expect(span.attributes['http.request.method']).toBe('POST');
  });

  test('off by default: no HTTP attribute, and the span does not wait for the response', async () => {
    const yoga = await startYoga({});
    await postGraphQL(yoga.url, { query: '{ hello }' });
    expect(only(tracing.spans(), 'query').attributes).toEqual({ 'graphql.operation.type': 'query' });
  });
});

describe('plain envelop under graphql-http on node:http', () => {
  test("the request attributes from Node's req; no route and no status code (the plugin never sees the response)", async () => {
    const plainSchema = graphql.buildSchema('type Query { hello: String }');
    const getEnveloped = envelop({
      plugins: [useEngine(graphql), useSchema(plainSchema), useTraceContext({ tracerProvider: tracing.provider, httpAttributes: true })],
    });
    const handler = createHandler({
      schema: plainSchema,
      rootValue: { hello: () => 'world' },
      async onSubscribe(req, params) {
        const { parse, validate, contextFactory, execute, schema: envelopedSchema } = getEnveloped({ req: req.raw });
        const document = parse(params.query);
        const errors = validate(envelopedSchema, document);
        if (errors.length > 0) return errors;
        const contextValue = await contextFactory();
        return execute({ schema: envelopedSchema, document, contextValue, rootValue: { hello: () => 'world' } }) as never;
      },
    });
    const server = await listen(handler);
    servers.push(server);
    const { status, json } = await postGraphQL(server.url, { query: '{ hello }' }, { 'user-agent': 'curl/8.5.0' });
    expect(status).toBe(200);
    expect(json.data).toEqual({ hello: 'world' });
    expect(only(tracing.spans(), 'query').attributes).toEqual({
      'graphql.operation.type': 'query',
      'http.request.method': 'POST',
      'url.scheme': 'http',
      'url.path': '/graphql',
      'server.address': '127.0.0.1',
      'server.port': port(server.url),
      'user_agent.original': 'curl/8.5.0',
      'client.address': '127.0.0.1',
      'network.peer.address': '127.0.0.1',
      'network.peer.port': expect.any(Number),
      'network.protocol.version': '1.1',
    });
  });

  test('no HTTP request in the context (a direct execute): no HTTP attribute, the span as before', async () => {
    const plainSchema = graphql.buildSchema('type Query { hello: String }');
    const getEnveloped = envelop({
      plugins: [useEngine(graphql), useSchema(plainSchema), useTraceContext({ tracerProvider: tracing.provider, httpAttributes: true })],
    });
    const { parse, execute, contextFactory, schema: envelopedSchema } = getEnveloped({});
    const result = await execute({ schema: envelopedSchema, document: parse('{ hello }'), contextValue: await contextFactory(), rootValue: { hello: () => 'hi' } });
    expect(result).toEqual({ data: { hello: 'hi' } });
    expect(only(tracing.spans(), 'query').attributes).toEqual({ 'graphql.operation.type': 'query' });
  });
});
