// Real peers for the tests: an OTel SDK with an in-memory exporter, a grpc-js
// Echo server behind @tracehop/grpc that reports the headers it received, and
// a node:http server on 127.0.0.1:0.
import { createServer, type RequestListener, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { context, propagation, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { loadEcho, type EchoClient, type EchoMessage } from '@tracehop/fixture-proto';
import { createClientInterceptor, createServerInterceptor } from '@tracehop/grpc';

/** The app's choice, allowed in tests: the plugin itself never registers globals. */
export function installContextManager(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

export function createTracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider, spans: (): ReadableSpan[] => exporter.getFinishedSpans() };
}

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
  const server = new grpc.Server({ interceptors: [createServerInterceptor()] });
  const firstValue = (md: grpc.Metadata, key: string) => md.get(key)[0]?.toString();
  server.addService(service, {
    say(call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
      const seen = {
        value: call.request.value,
        traceparent: firstValue(call.metadata, 'traceparent'),
        baggage: firstValue(call.metadata, 'baggage'),
      };
      received.push(seen);
      callback(null, { value: JSON.stringify(seen) });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const target = `127.0.0.1:${port}`;
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
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}

export interface HttpHandle {
  url: string;
  server: HttpServer;
  close(): Promise<void>;
}

/** `object`, not `RequestListener`: contextual typing would otherwise make Yoga infer node's request as its server context. */
export async function listen(handler: object, path = '/graphql'): Promise<HttpHandle> {
  const server = createServer(handler as RequestListener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
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

/** A fresh, valid W3C `traceparent` with random IDs. */
export function randomTraceparent(): { traceparent: string; traceId: string; spanId: string } {
  const hex = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
  const traceId = hex(16);
  const spanId = hex(8);
  return { traceparent: `00-${traceId}-${spanId}-01`, traceId, spanId };
}

export function parseTraceparent(header: string | undefined): { traceId: string; spanId: string } | undefined {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(header ?? '');
  return match ? { traceId: match[1]!, spanId: match[2]! } : undefined;
}

export function baggageOf(ctx: Context = context.active()): Record<string, string> {
  return Object.fromEntries((propagation.getBaggage(ctx)?.getAllEntries() ?? []).map(([key, entry]) => [key, entry.value]));
}

export function byName(spans: ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((span) => span.name === name);
}

export function only(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = byName(spans, name);
  if (found.length !== 1) throw new Error(`expected one span "${name}", got ${found.length}: ${spans.map((s) => s.name).join(', ')}`);
  return found[0]!;
}

export function parentSpanId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
