// Test harness: a real grpc-js Echo server on 127.0.0.1:0, a real client, the
// real OpenTelemetry SDK with an in-memory exporter. Nothing here is mocked.
import * as grpc from '@grpc/grpc-js';
import { context, trace, type Context } from '@opentelemetry/api';
import { loadEcho, type EchoClient, type EchoMessage } from '@tracehop/fixture-proto';
import { baggageOf, createTracing, startGrpcServer, useAsyncContext, type RunningGrpcServer, type Tracing } from '@tracehop/testkit';
import { createClientInterceptor, createServerInterceptor, type ClientInterceptorOptions, type ServerInterceptorOptions } from '../src/index.js';

export const { Echo, service: echoService } = loadEcho(grpc);

export { useAsyncContext };
export type Telemetry = Tracing;
export const createTelemetry = (): Telemetry => createTracing();

/** What a handler observed of the active context at each point of its life. */
export interface Observation {
  where: string;
  traceId: string | undefined;
  spanId: string | undefined;
  baggage: Record<string, string>;
}

export function observe(where: string, ctx: Context = context.active()): Observation {
  const spanContext = trace.getSpanContext(ctx);
  return { where, traceId: spanContext?.traceId, spanId: spanContext?.spanId, baggage: baggageOf(ctx) };
}

export type Handlers = Partial<grpc.UntypedServiceImplementation>;

/** Echo handlers that record what the active context is at every point. */
export function observingHandlers(seen: Observation[], metadataSeen: grpc.Metadata[] = []): grpc.UntypedServiceImplementation {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
  return {
    async Say(call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
      metadataSeen.push(call.metadata);
      seen.push(observe('say:sync'));
      await tick();
      seen.push(observe('say:after-await'));
      callback(null, { value: call.request.value });
    },
    async Stream(call: grpc.ServerWritableStream<EchoMessage, EchoMessage>) {
      metadataSeen.push(call.metadata);
      seen.push(observe('stream:sync'));
      for (let i = 0; i < 3; i++) {
        await tick();
        seen.push(observe(`stream:after-await-${i}`));
        call.write({ value: `${call.request.value}-${i}` });
      }
      call.end();
    },
    Collect(call: grpc.ServerReadableStream<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
      metadataSeen.push(call.metadata);
      seen.push(observe('collect:sync'));
      const values: string[] = [];
      call.on('data', (message: EchoMessage) => {
        seen.push(observe('collect:data'));
        values.push(message.value);
      });
      call.on('end', async () => {
        seen.push(observe('collect:end'));
        await tick();
        seen.push(observe('collect:after-await'));
        callback(null, { value: values.join(',') });
      });
    },
    Chat(call: grpc.ServerDuplexStream<EchoMessage, EchoMessage>) {
      metadataSeen.push(call.metadata);
      seen.push(observe('chat:sync'));
      call.on('data', async (message: EchoMessage) => {
        seen.push(observe('chat:data'));
        await tick();
        seen.push(observe('chat:after-await'));
        call.write({ value: message.value });
      });
      call.on('end', () => {
        seen.push(observe('chat:end'));
        setTimeout(() => call.end(), 2);
      });
    },
  };
}

export type RunningServer = RunningGrpcServer;

/** The Echo service on 127.0.0.1:0 behind tracehop's server interceptor (first), unless `options` is `false`. */
export function startServer(
  handlers: grpc.UntypedServiceImplementation,
  options: ServerInterceptorOptions | false = {},
  extraInterceptors: grpc.ServerInterceptor[] = [],
): Promise<RunningServer> {
  const interceptors = options === false ? extraInterceptors : [createServerInterceptor(options), ...extraInterceptors];
  return startGrpcServer(echoService, handlers, { interceptors });
}

export function createClient(
  address: string,
  options: ClientInterceptorOptions | false = {},
  channelOptions: grpc.ClientOptions = {},
): EchoClient {
  const interceptors = options === false ? [] : [createClientInterceptor({ target: address, ...options })];
  return new Echo(address, grpc.credentials.createInsecure(), { interceptors, ...channelOptions });
}

export function sayAsync(client: EchoClient, value: string, metadata = new grpc.Metadata(), callOptions: Partial<grpc.CallOptions> = {}): Promise<EchoMessage> {
  return new Promise((resolve, reject) => {
    client.say({ value }, metadata, callOptions, (error, reply) => (error ? reject(error) : resolve(reply!)));
  });
}

export function collectStream(call: grpc.ClientReadableStream<EchoMessage>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const values: string[] = [];
    call.on('data', (m: EchoMessage) => values.push(m.value));
    call.on('error', reject);
    call.on('end', () => resolve(values));
  });
}

export function collectAsync(client: EchoClient, values: string[], metadata = new grpc.Metadata()): Promise<EchoMessage> {
  return new Promise((resolve, reject) => {
    const call = client.collect(metadata, (error, reply) => (error ? reject(error) : resolve(reply!)));
    for (const value of values) call.write({ value });
    call.end();
  });
}

export function chatAsync(client: EchoClient, values: string[], metadata = new grpc.Metadata()): Promise<string[]> {
  const call = client.chat(metadata);
  const replies = collectStream(call as unknown as grpc.ClientReadableStream<EchoMessage>);
  for (const value of values) call.write({ value });
  call.end();
  return replies;
}
