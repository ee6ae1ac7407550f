// Real peers for the tests: an OTel SDK with an in-memory exporter, a grpc-js
// Echo server behind @tracehop/grpc that reports the headers it received, and
// a node:http server on 127.0.0.1:0.
import * as grpc from '@grpc/grpc-js';
import type { BasicTracerProvider, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { loadEcho, type EchoClient, type EchoMessage } from '@tracehop/fixture-proto';
import { createClientInterceptor, createServerInterceptor } from '@tracehop/grpc';
import { listen as listenOn, startGrpcServer, useAsyncContext } from '@tracehop/testkit';

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
