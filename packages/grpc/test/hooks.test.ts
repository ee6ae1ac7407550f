// onStart / onEnd on both interceptors: what they see, that what they add
// lands on the span, and that a hook that throws or rejects never breaks a
// call (each of the four call kinds, one diag warning per failure). Real
// grpc-js on 127.0.0.1:0, the real SDK with an in-memory exporter.
import * as grpc from '@grpc/grpc-js';
import { diag, DiagLogLevel, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { EchoClient } from '@tracehop/fixture-proto';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { ClientCallEndInfo, ClientCallInfo, ClientInterceptorOptions, ServerCallEndInfo, ServerCallInfo, ServerInterceptorOptions } from '../src/index.js';
import { chatAsync, collectAsync, collectStream, createClient, createTelemetry, observingHandlers, sayAsync, startServer, useAsyncContext, type RunningServer } from './harness.js';

useAsyncContext();
const telemetry = createTelemetry();
const warn = vi.fn();
beforeAll(() => diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() }, DiagLogLevel.WARN));
afterAll(() => diag.disable());

const running: RunningServer[] = [];
const clients: EchoClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(running.splice(0).map((server) => server.stop()));
  telemetry.exporter.reset();
  warn.mockClear();
});

async function pair(server: ServerInterceptorOptions, client: ClientInterceptorOptions): Promise<EchoClient> {
  const started = await startServer(observingHandlers([]), { tracerProvider: telemetry.provider, ...server });
  running.push(started);
  const created = createClient(started.address, { tracerProvider: telemetry.provider, ...client });
  clients.push(created);
  return created;
}

const md = () => {
  const metadata = new grpc.Metadata();
  metadata.set('x-request-id', 'req-7');
  return metadata;
};

/** The four call kinds, each returning what the client received. */
const callKinds: Array<[string, (client: EchoClient) => Promise<unknown>]> = [
  ['unary', (client) => sayAsync(client, 'a', md()).then((reply) => reply.value)],
  ['server streaming', (client) => collectStream(client.stream({ value: 'b' }, md()))],
  ['client streaming', (client) => collectAsync(client, ['c1', 'c2'], md()).then((reply) => reply.value)],
  ['bidi streaming', (client) => chatAsync(client, ['d'], md())],
];
const expectedReplies: Record<string, unknown> = {
  unary: 'a',
  'server streaming': ['b-0', 'b-1', 'b-2'],
  'client streaming': 'c1,c2',
  'bidi streaming': ['d'],
};

const warnings = () => warn.mock.calls.map(([message]) => String(message));

describe('what the hooks see, and what they add', () => {
  test.each(callKinds)('%s: each hook runs once per call, on both sides, and its attributes land on the span', async (kind, call) => {
    const seen: Array<[string, unknown]> = [];
    const client = await pair(
      {
        onStart: (span: Span, info: ServerCallInfo) => {
          seen.push(['server start', { method: info.method.path, requestId: info.metadata.get('x-request-id'), peer: /^127\.0\.0\.1:\d+$/.test(info.peer) }]);
          span.setAttribute('app.server.start', info.method.path);
        },
        onEnd: (span: Span, info: ServerCallEndInfo) => {
          seen.push(['server end', { method: info.method.path, status: info.status.code }]);
          span.setAttribute('app.server.end', info.status.code);
        },
      },
      {
        onStart: (span: Span, info: ClientCallInfo) => {
          seen.push(['client start', { method: info.method, requestId: info.metadata.get('x-request-id') }]);
          span.setAttribute('app.client.start', info.method);
        },
        onEnd: (span: Span, info: ClientCallEndInfo) => {
          seen.push(['client end', { method: info.method, status: info.status.code }]);
          span.setAttribute('app.client.end', info.status.code);
        },
      },
    );
    expect(await call(client)).toEqual(expectedReplies[kind]);

    const method = telemetry.spans()[0]!.name;
    expect(seen.map(([where]) => where).sort()).toEqual(['client end', 'client start', 'server end', 'server start']);
    expect(Object.fromEntries(seen)).toEqual({
      'client start': { method, requestId: ['req-7'] },
      'server start': { method: `/${method}`, requestId: ['req-7'], peer: true },
      'server end': { method: `/${method}`, status: grpc.status.OK },
      'client end': { method, status: grpc.status.OK },
    });
    expect(telemetry.span(method, SpanKind.CLIENT).attributes).toMatchObject({ 'app.client.start': method, 'app.client.end': 0 });
    expect(telemetry.span(method, SpanKind.SERVER).attributes).toMatchObject({ 'app.server.start': `/${method}`, 'app.server.end': 0 });
    expect(warnings()).toEqual([]);
  });

  test('onEnd sees the status the status attributes describe, and may override the span status', async () => {
    const client = await pair(
      { onEnd: (span: Span, info: ServerCallEndInfo) => span.setAttribute('app.status', info.status.code) },
      { onEnd: (span: Span) => span.setStatus({ code: SpanStatusCode.OK }) },
    );
    const metadata = md();
    await expect(sayAsync(client, 'x', metadata, { deadline: Date.now() - 1 })).rejects.toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
    const clientSpan = telemetry.spans().find((span) => span.kind === SpanKind.CLIENT)!;
    expect(clientSpan.attributes['rpc.grpc.status_code']).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(clientSpan.status.code).toBe(SpanStatusCode.OK); // the hook ran after tracehop set ERROR
  });

  test('a call that records no span runs no hook: ignored methods, recordSpans: false', async () => {
    const onStart = vi.fn();
    const onEnd = vi.fn();
    const ignoring = await pair(
      { onStart, onEnd, ignoreMethods: ['tracehop.fixture.Echo/*'] },
      { onStart, onEnd, ignoreMethods: ['tracehop.fixture.Echo/Say'] },
    );
    await sayAsync(ignoring, 'a');
    const silent = await pair({ onStart, onEnd, recordSpans: false }, { onStart, onEnd, recordSpans: false });
    await sayAsync(silent, 'b');
    expect(onStart).not.toHaveBeenCalled();
    expect(onEnd).not.toHaveBeenCalled();
    expect(telemetry.spans()).toEqual([]);
  });
});

describe('a hook that throws never breaks a call', () => {
  const boom = () => {
    throw new Error('hook broke');
  };
  const throwing: Array<[string, { server?: ServerInterceptorOptions; client?: ClientInterceptorOptions }, string]> = [
    ['client onStart', { client: { onStart: boom } }, 'tracehop: the onStart hook threw; the call goes on (hook broke)'],
    ['client onEnd', { client: { onEnd: boom } }, 'tracehop: the onEnd hook threw; the call and its span end as they would without it (hook broke)'],
    ['server onStart', { server: { onStart: boom } }, 'tracehop: the onStart hook threw; the call goes on (hook broke)'],
    ['server onEnd', { server: { onEnd: boom } }, 'tracehop: the onEnd hook threw; the call and its span end as they would without it (hook broke)'],
  ];
  const cases = throwing.flatMap(([hook, options, warning]) => callKinds.map(([kind, call]) => [hook, kind, options, warning, call] as const));

  test.each(cases)('%s throws, %s call: the call succeeds, both spans end, one diag warning', async (_hook, kind, options, warning, call) => {
    const client = await pair(options.server ?? {}, options.client ?? {});
    expect(await call(client)).toEqual(expectedReplies[kind]);
    const spans = telemetry.spans();
    expect(spans.map((span) => span.kind).sort()).toEqual([SpanKind.SERVER, SpanKind.CLIENT].sort());
    for (const span of spans) expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(warnings()).toEqual([warning]);
  });

  test('an async hook that rejects: no unhandled rejection, the call succeeds, one diag warning each', async () => {
    const rejecting = async () => {
      throw new Error('async hook broke');
    };
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const client = await pair({ onStart: rejecting }, { onEnd: rejecting });
      expect(await sayAsync(client, 'a')).toEqual({ value: 'a' });
      await new Promise((resolve) => setTimeout(resolve, 10)); // the rejections settle on later ticks
    } finally {
      process.off('unhandledRejection', unhandled);
    }
    expect(unhandled).not.toHaveBeenCalled();
    expect(warnings().sort()).toEqual([
      'tracehop: the onEnd hook threw; the call and its span end as they would without it (async hook broke)',
      'tracehop: the onStart hook threw; the call goes on (async hook broke)',
    ]);
  });
});

test('hooks are checked when the interceptor is created', () => {
  expect(() => createClient('127.0.0.1:1', { onStart: 'log' as never })).toThrow(
    new TypeError('createClientInterceptor: option "onStart" must be a function (span, call) => void, got string "log"'),
  );
});
