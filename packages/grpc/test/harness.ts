// Test harness: a real grpc-js Echo server on 127.0.0.1:0, a real client, the
// real OpenTelemetry SDK with an in-memory exporter. Nothing here is mocked.
import * as grpc from '@grpc/grpc-js';
import { context, propagation, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { loadEcho, type EchoClient, type EchoMessage } from '@tracehop/fixture-proto';
import { createClientInterceptor, createServerInterceptor, type ClientInterceptorOptions, type ServerInterceptorOptions } from '../src/index.js';

export const { Echo, service: echoService } = loadEcho(grpc);

/** Installs the AsyncLocalStorage context manager an app would install; once per test file. */
export function useAsyncContext(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

export interface Telemetry {
  provider: BasicTracerProvider;
  exporter: InMemorySpanExporter;
  spans(): ReadableSpan[];
  span(name: string, kind: number): ReadableSpan;
}

export function createTelemetry(): Telemetry {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return {
    provider,
    exporter,
    spans: () => exporter.getFinishedSpans(),
    span(name, kind) {
      const found = exporter.getFinishedSpans().filter((s) => s.name === name && s.kind === kind);
      if (found.length !== 1) throw new Error(`expected one ${name} span of kind ${kind}, found ${found.length}`);
      return found[0]!;
    },
  };
}

/** What a handler observed of the active context at each point of its life. */
export interface Observation {
  where: string;
  traceId: string | undefined;
  spanId: string | undefined;
  baggage: Record<string, string>;
}

export function observe(where: string, ctx: Context = context.active()): Observation {
  const spanContext = trace.getSpanContext(ctx);
  const baggage = Object.fromEntries((propagation.getBaggage(ctx)?.getAllEntries() ?? []).map(([k, e]) => [k, e.value]));
  return { where, traceId: spanContext?.traceId, spanId: spanContext?.spanId, baggage };
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

export interface RunningServer {
  server: grpc.Server;
  address: string;
  stop(): Promise<void>;
}

export async function startServer(
  handlers: grpc.UntypedServiceImplementation,
  options: ServerInterceptorOptions | false = {},
  extraInterceptors: grpc.ServerInterceptor[] = [],
): Promise<RunningServer> {
  const interceptors = options === false ? extraInterceptors : [createServerInterceptor(options), ...extraInterceptors];
  const server = new grpc.Server({ interceptors });
  server.addService(echoService, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    ),
  );
  const address = `127.0.0.1:${port}`;
  return {
    server,
    address,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
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
