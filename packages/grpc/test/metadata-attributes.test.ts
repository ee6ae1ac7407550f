// metadataAttributes: listed request metadata keys become span attributes on
// both sides (string arrays, named by semconv mode, bounded); credentials and
// trace context never do, even when listed. Real grpc-js on 127.0.0.1:0, the
// real SDK with an in-memory exporter.
import * as grpc from '@grpc/grpc-js';
import { SpanKind, type TextMapPropagator } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createTracing } from '@tracehop/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { createClientInterceptor, createServerInterceptor, type ClientInterceptorOptions, type ServerInterceptorOptions } from '../src/index.js';
import { chatAsync, collectAsync, collectStream, Echo, echoService, observingHandlers, sayAsync, useAsyncContext } from './harness.js';
import { startGrpcServer, type RunningGrpcServer } from '@tracehop/testkit';

useAsyncContext();

/** What a span processor sees when the span starts: the attributes a sampler decides on. */
const atStart: Array<{ name: string; kind: SpanKind; attributes: Record<string, unknown> }> = [];
const startRecorder: SpanProcessor = {
  onStart: (span: Span) => atStart.push({ name: span.name, kind: span.kind, attributes: { ...span.attributes } }),
  onEnd: () => {},
  forceFlush: async () => {},
  shutdown: async () => {},
};
const telemetry = createTracing([startRecorder]);

const running: RunningGrpcServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
  telemetry.exporter.reset();
  atStart.length = 0;
});

async function pair(
  keys: readonly string[],
  extra: { client?: ClientInterceptorOptions; server?: ServerInterceptorOptions } = {},
): Promise<ReturnType<typeof newClient>> {
  const server = await startGrpcServer(echoService, observingHandlers([]), {
    interceptors: [createServerInterceptor({ tracerProvider: telemetry.provider, metadataAttributes: keys, ...extra.server })],
  });
  running.push(server);
  return newClient(server.address, { tracerProvider: telemetry.provider, metadataAttributes: keys, ...extra.client });
}

function newClient(address: string, options: ClientInterceptorOptions) {
  return new Echo(address, grpc.credentials.createInsecure(), { interceptors: [createClientInterceptor(options)] });
}

function metadata(entries: Array<[string, string | Buffer]>): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [key, value] of entries) md.add(key, value);
  return md;
}

const span = (kind: SpanKind): ReadableSpan => {
  const found = telemetry.spans().filter((s) => s.kind === kind);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('listed keys become attributes on the CLIENT and SERVER spans', () => {
  test('old names by default (what instrumentation-grpc and the Java agent emit): rpc.grpc.request.metadata.<key>, a string array', async () => {
    const client = await pair(['x-request-id', 'X-Tenant-Region']);
    await sayAsync(client, 'hi', metadata([['x-request-id', 'req-1'], ['x-tenant-region', 'eu'], ['x-other', 'not listed']]));
    client.close();
    for (const kind of [SpanKind.CLIENT, SpanKind.SERVER]) {
      const attributes = span(kind).attributes;
      expect(attributes['rpc.grpc.request.metadata.x-request-id']).toEqual(['req-1']);
      expect(attributes['rpc.grpc.request.metadata.x-tenant-region']).toEqual(['eu']); // listed in any case, matched lowercased
      expect(Object.keys(attributes).filter((key) => key.includes('x-other'))).toEqual([]);
      expect(Object.keys(attributes).filter((key) => key.startsWith('rpc.request.header.'))).toEqual([]);
    }
  });

  test("semconv 'stable': rpc.request.header.<key> (semconv 1.45); 'dup': both", async () => {
    const stable = await pair(['x-request-id'], { client: { semconv: 'stable' }, server: { semconv: 'stable' } });
    await sayAsync(stable, 'hi', metadata([['x-request-id', 'req-2']]));
    stable.close();
    for (const kind of [SpanKind.CLIENT, SpanKind.SERVER]) {
      expect(span(kind).attributes['rpc.request.header.x-request-id']).toEqual(['req-2']);
      expect(span(kind).attributes['rpc.grpc.request.metadata.x-request-id']).toBeUndefined();
    }
    telemetry.exporter.reset();

    const dup = await pair(['x-request-id'], { client: { semconv: 'dup' }, server: { semconv: 'dup' } });
    await sayAsync(dup, 'hi', metadata([['x-request-id', 'req-3']]));
    dup.close();
    for (const kind of [SpanKind.CLIENT, SpanKind.SERVER]) {
      expect(span(kind).attributes['rpc.request.header.x-request-id']).toEqual(['req-3']);
      expect(span(kind).attributes['rpc.grpc.request.metadata.x-request-id']).toEqual(['req-3']);
    }
  });

  test('the SERVER span has them when it starts, so a sampler or span processor sees them', async () => {
    const client = await pair(['x-request-id']);
    await sayAsync(client, 'hi', metadata([['x-request-id', 'req-4']]));
    client.close();
    const server = atStart.find((started) => started.kind === SpanKind.SERVER);
    expect(server?.attributes['rpc.grpc.request.metadata.x-request-id']).toEqual(['req-4']);
  });

  test('every call kind records them', async () => {
    const client = await pair(['x-request-id']);
    const md = () => metadata([['x-request-id', 'req-5']]);
    await sayAsync(client, 'a', md());
    await collectStream(client.stream({ value: 'b' }, md()));
    await collectAsync(client, ['c'], md());
    await chatAsync(client, ['d'], md());
    client.close();
    const spans = telemetry.spans();
    expect(spans).toHaveLength(8);
    for (const recorded of spans) expect(recorded.attributes['rpc.grpc.request.metadata.x-request-id'], recorded.name).toEqual(['req-5']);
  });

  test('a missing key records no attribute', async () => {
    const client = await pair(['x-request-id']);
    await sayAsync(client, 'hi');
    client.close();
    expect(span(SpanKind.SERVER).attributes['rpc.grpc.request.metadata.x-request-id']).toBeUndefined();
  });
});

describe('bounded', () => {
  test('several values are kept in order, at most 8, each at most 256 characters', async () => {
    const client = await pair(['x-hop']);
    const values = Array.from({ length: 10 }, (_, i) => `hop-${i}`);
    values[1] = 'x'.repeat(1000);
    await sayAsync(client, 'hi', metadata(values.map((value) => ['x-hop', value])));
    client.close();
    const sent = span(SpanKind.CLIENT).attributes['rpc.grpc.request.metadata.x-hop'] as string[];
    expect(sent).toEqual(['hop-0', 'x'.repeat(256), 'hop-2', 'hop-3', 'hop-4', 'hop-5', 'hop-6', 'hop-7']);
    // Node's HTTP/2 joins repeated header fields with ", ": the server gets one
    // value, which the conventions allow ("a single-item array containing a
    // possibly comma-concatenated string"), capped like any other.
    const received = span(SpanKind.SERVER).attributes['rpc.grpc.request.metadata.x-hop'] as string[];
    expect(received).toEqual([`hop-0, ${'x'.repeat(249)}`]);
  });

  test('a -bin value is recorded base64, as the conventions say for binary metadata', async () => {
    const client = await pair(['x-blob-bin']);
    await sayAsync(client, 'hi', metadata([['x-blob-bin', Buffer.from([0, 1, 2, 255])]]));
    client.close();
    for (const kind of [SpanKind.CLIENT, SpanKind.SERVER]) {
      expect(span(kind).attributes['rpc.grpc.request.metadata.x-blob-bin']).toEqual([Buffer.from([0, 1, 2, 255]).toString('base64')]);
    }
  });

  test('more than 32 keys throw when the interceptor is created', () => {
    const keys = Array.from({ length: 33 }, (_, i) => `x-key-${i}`);
    expect(() => createServerInterceptor({ metadataAttributes: keys })).toThrow(TypeError);
    expect(() => createServerInterceptor({ metadataAttributes: keys.slice(0, 32) })).not.toThrow();
  });
});

describe('never credentials or trace context, even when listed', () => {
  const refused = [
    'authorization',
    'Authorization',
    'proxy-authorization',
    'x-serverless-authorization',
    'cookie',
    'traceparent',
    'tracestate',
    'baggage',
    'sentry-trace',
    'x-cloud-trace-context',
    'grpc-trace-bin',
    'x-b3-traceid',
    'x-datadog-trace-id',
    'x-api-key',
    'x-auth-user',
    'x-goog-iap-jwt-assertion',
    'x-refresh-token',
    'x-client-secret',
    'x-session-id',
    'x-db-password',
    'x-credentials',
  ];
  test.each(refused)('%s throws a TypeError naming the option, on both sides', (key) => {
    const message = `option "metadataAttributes" must be an array of at most 32 metadata keys (letters, digits, "-", "_", "."), none a credential, cookie or trace-propagation header, got array ${JSON.stringify(['x-request-id', key])}`;
    expect(() => createServerInterceptor({ metadataAttributes: ['x-request-id', key] })).toThrow(new TypeError(`createServerInterceptor: ${message}`));
    expect(() => createClientInterceptor({ metadataAttributes: ['x-request-id', key] })).toThrow(new TypeError(`createClientInterceptor: ${message}`));
  });

  test('a header only the configured propagator reads throws too', () => {
    const jaeger: TextMapPropagator = { inject() {}, extract: (ctx) => ctx, fields: () => ['uber-trace-id'] };
    expect(() => createServerInterceptor({ propagator: jaeger, metadataAttributes: ['x-request-id', 'uber-trace-id'] })).toThrow(
      new TypeError(
        'createServerInterceptor: option "metadataAttributes" lists "uber-trace-id", a header the propagator reads; trace context never becomes a span attribute',
      ),
    );
    expect(() => createClientInterceptor({ propagator: jaeger, metadataAttributes: ['uber-trace-id'] })).toThrow(TypeError);
    expect(() => createServerInterceptor({ metadataAttributes: ['uber-trace-id'] })).not.toThrow();
  });

  test('a key grpc-js cannot carry throws', () => {
    expect(() => createServerInterceptor({ metadataAttributes: ['x request'] })).toThrow(TypeError);
    expect(() => createServerInterceptor({ metadataAttributes: [''] })).toThrow(TypeError);
  });
});
