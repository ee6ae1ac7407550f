// The Node side of the interop tests: the real OTel SDK (in-memory exporter),
// real grpc-js clients and servers wired with @tracehop/grpc. Nothing is mocked.
import * as grpc from '@grpc/grpc-js';
import { context, propagation, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { loadEcho, type EchoClient, type EchoMessage } from '@tracehop/fixture-proto';
import { createClientInterceptor, createServerInterceptor } from '@tracehop/grpc';

export const { Echo, service: echoService } = loadEcho(grpc);

/** The AsyncLocalStorage context manager an app installs; call once per test file. */
export function useAsyncContext(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** A tracer provider (never registered globally) with an in-memory exporter. */
export function createTelemetry(): { provider: BasicTracerProvider; spans(): ReadableSpan[] } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { provider, spans: () => exporter.getFinishedSpans() };
}

/** What Node code saw of the active context. */
export interface NodeObservation {
  service: 'node-backend';
  where: string;
  traceId: string | undefined;
  spanId: string | undefined;
  baggage: Record<string, string>;
}

/** Reads the active span and baggage, the way handler code would. */
export function observe(where: string, ctx: Context = context.active()): NodeObservation {
  const spanContext = trace.getSpanContext(ctx);
  const entries = propagation.getBaggage(ctx)?.getAllEntries() ?? [];
  return {
    service: 'node-backend',
    where,
    traceId: spanContext?.traceId,
    spanId: spanContext?.spanId,
    baggage: Object.fromEntries(entries.map(([key, entry]) => [key, entry.value])),
  };
}

/** A context carrying the given baggage. */
export function withBaggage(entries: Record<string, string>, ctx: Context = context.active()): Context {
  const baggage = propagation.createBaggage(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { value: v }])));
  return propagation.setBaggage(ctx, baggage);
}

/** A running Node Echo server whose handlers reply with (and record) what they saw. */
export interface NodeEchoServer {
  address: string;
  seen: NodeObservation[];
  close(): Promise<void>;
}

/** Echo handlers replying with JSON observations of the active context. */
function observingHandlers(seen: NodeObservation[]): grpc.UntypedServiceImplementation {
  const reply = (where: string): EchoMessage => {
    const observation = observe(where);
    seen.push(observation);
    return { value: JSON.stringify(observation) };
  };
  return {
    Say(_call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
      callback(null, reply('Say'));
    },
    Stream(call: grpc.ServerWritableStream<EchoMessage, EchoMessage>) {
      for (let i = 0; i < 3; i++) call.write(reply(`Stream#${i}`));
      call.end();
    },
    Collect(call: grpc.ServerReadableStream<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
      call.on('data', () => undefined);
      call.on('end', () => callback(null, reply('Collect:end')));
    },
    Chat(call: grpc.ServerDuplexStream<EchoMessage, EchoMessage>) {
      call.on('data', () => call.write(reply('Chat:data')));
      call.on('end', () => call.end());
    },
  };
}

/** Starts a grpc-js Echo server on 127.0.0.1:0 with tracehop's server interceptor. */
export async function startNodeServer(provider: BasicTracerProvider): Promise<NodeEchoServer> {
  const server = new grpc.Server({ interceptors: [createServerInterceptor({ tracerProvider: provider })] });
  const seen: NodeObservation[] = [];
  server.addService(echoService, observingHandlers(seen));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    address: `127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

/** A grpc-js Echo client with tracehop's client interceptor. */
export function createNodeClient(target: string, provider: BasicTracerProvider): EchoClient {
  return new Echo(target, grpc.credentials.createInsecure(), {
    interceptors: [createClientInterceptor({ tracerProvider: provider, target })],
  });
}

/** Unary Say in [ctx]; resolves with the reply value or rejects with the gRPC error. */
export function say(client: EchoClient, request: unknown, ctx: Context): Promise<string> {
  return new Promise((resolve, reject) =>
    context.with(ctx, () =>
      client.say({ value: JSON.stringify(request) }, (error, reply) => (error ? reject(error) : resolve(reply!.value))),
    ),
  );
}

/** The parent span ID of a Node SDK span (sdk-trace-base 2.x). */
export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
