// Real peers for the tests: an OTel SDK with an in-memory exporter, a grpc-js
// Echo server behind @tracehop/grpc that reports the headers it received, and
// a node:http server on 127.0.0.1:0.
import * as grpc from '@grpc/grpc-js';
import type { BasicTracerProvider, ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { loadEcho, type EchoClient, type EchoMessage } from '@tracehop/fixture-proto';
import { createClientInterceptor, createServerInterceptor } from '@tracehop/grpc';
import { createTracing, listen as listenOn, startGrpcServer, useAsyncContext, type HttpHandle, type Tracing } from '@tracehop/testkit';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export { baggageOf, createTracing, parentSpanId, parseTraceparent, randomTraceparent } from '@tracehop/testkit';
export type { HttpHandle } from '@tracehop/testkit';

/** The app's choice, allowed in tests: the plugin itself never registers globals. */
export const installContextManager = useAsyncContext;

/** What the gRPC server saw on one call. */
export interface ReceivedCall {
  value: string;
  traceparent: string | undefined;
  baggage: string | undefined;
}

export interface EchoBackend {
  client: EchoClient;
  received: ReceivedCall[];
  /** Unary `Say`, resolved with the `traceparent` the server received. */
  say(value: string, metadata?: grpc.Metadata): Promise<ReceivedCall>;
  close(): Promise<void>;
}

/** A real grpc-js Echo server (tracehop server interceptor) and a client with the tracehop interceptor. */
export async function startEchoBackend(options: { clientProvider?: BasicTracerProvider } = {}): Promise<EchoBackend> {
  const { Echo, service } = loadEcho(grpc);
  const received: ReceivedCall[] = [];
  const firstValue = (md: grpc.Metadata, key: string) => md.get(key)[0]?.toString();
  const running = await startGrpcServer(
    service,
    {
      say(call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
        const seen = {
          value: call.request.value,
          traceparent: firstValue(call.metadata, 'traceparent'),
          baggage: firstValue(call.metadata, 'baggage'),
        };
        received.push(seen);
        callback(null, { value: JSON.stringify(seen) });
      },
    },
    { interceptors: [createServerInterceptor()] },
  );
  const target = running.address;
  const interceptor = createClientInterceptor({ tracerProvider: options.clientProvider, target });
  const client = new Echo(target, grpc.credentials.createInsecure(), { interceptors: [interceptor] });
  return {
    client,
    received,
    say: (value, metadata = new grpc.Metadata()) =>
      new Promise((resolve, reject) =>
        client.say({ value }, metadata, (error, reply) =>
          error ? reject(error) : resolve(JSON.parse(reply!.value) as ReceivedCall),
        ),
      ),
    close: async () => {
      client.close();
      await running.stop();
    },
  };
}

/** A real HTTP server on 127.0.0.1:0 serving `handler` at `/graphql`. */
export const listen = (handler: object, path = '/graphql') => listenOn(handler, path);

/** The peers most suites of this package share, with their lifetimes tied to the test file. */
export interface TestStack {
  readonly tracing: Tracing;
  /** The Echo backend (its client records spans on `tracing`); started in a `beforeAll`, so use it from hooks and tests. */
  readonly backend: EchoBackend;
  /** {@link listen}, closed after the file's last test. */
  serve(handler: object, path?: string): Promise<HttpHandle>;
}

/**
 * Call once at the top of a test file: installs the context manager, creates
 * the SDK (its spans reset before each test), starts the Echo backend before
 * the file's first test unless `backend` is false, and closes what it started
 * after the last one. Hooks the file registers after this call run after these.
 */
export function useTestStack(options: { backend?: boolean; processors?: SpanProcessor[] } = {}): TestStack {
  installContextManager();
  const tracing = createTracing(options.processors);
  const servers: HttpHandle[] = [];
  let backend: EchoBackend | undefined;
  if (options.backend !== false) {
    beforeAll(async () => {
      backend = await startEchoBackend({ clientProvider: tracing.provider });
    });
  }
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await backend?.close();
  });
  beforeEach(() => tracing.exporter.reset());
  return {
    tracing,
    get backend() {
      if (!backend) throw new Error(options.backend === false ? 'useTestStack({ backend: false }) has no backend' : 'the Echo backend starts in beforeAll; use it from a hook or a test');
      return backend;
    },
    async serve(handler, path) {
      const handle = await listen(handler, path);
      servers.push(handle);
      return handle;
    },
  };
}

/** POSTs a GraphQL request and returns the parsed JSON body. */
export async function postGraphQL(
  url: string,
  body: { query: string; variables?: Record<string, unknown>; operationName?: string } | object[],
  headers: Record<string, string> = {},
): Promise<{ status: number; json: { data?: Record<string, unknown>; errors?: Array<{ message: string }> } & Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as never };
}

export function byName(spans: ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((span) => span.name === name);
}

export function only(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = byName(spans, name);
  if (found.length !== 1) throw new Error(`expected one span "${name}", got ${found.length}: ${spans.map((s) => s.name).join(', ')}`);
  return found[0]!;
}
