// The two ends of a request path, for the spoofing tests: a public
// edge (core's continueTrace + tenantFromAuth, what the envelop plugin runs
// per operation) calling a real grpc-js backend through @tracehop/grpc, both
// sides logging with pino + traceMixin, every span through TenantSpanProcessor.
import * as grpc from '@grpc/grpc-js';
import { context, ROOT_CONTEXT, SpanKind, trace, type Context } from '@opentelemetry/api';
import { compileTrustPolicy, headersGetter, type HeadersLike } from '@tracehop/core';
import { loadEcho, type EchoClient, type EchoMessage } from '@tracehop/fixture-proto';
import { createClientInterceptor, createServerInterceptor } from '@tracehop/grpc';
import { traceMixin } from '@tracehop/pino';
import { createTracing, startGrpcServer, useAsyncContext, type RunningGrpcServer } from '@tracehop/testkit';
import { pino } from 'pino';
import { getTenant, TenantSpanProcessor, tenantFromAuth } from '../src/index.js';

useAsyncContext();
const { exporter, provider } = createTracing([new TenantSpanProcessor()]);
export { exporter };
const tracer = provider.getTracer('test');
const { Echo, service } = loadEcho(grpc);

export const CLIENT_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const CLIENT_TRACEPARENT = `00-${CLIENT_TRACE_ID}-00f067aa0ba902b7-01`;

// --- the backend: real grpc-js server, tracehop interceptor, pino + traceMixin ---
export const backendLines: string[] = [];
const backendLogger = pino(
  { base: undefined, mixin: traceMixin({ baggageKeys: ['tenant.id'] }) },
  { write: (line: string) => void backendLines.push(line) },
);
export const backendBaggage: string[][] = [];
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

const handlers: grpc.UntypedServiceImplementation = {
  async Say(call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
    backendBaggage.push(call.metadata.get('baggage').map(String));
    backendLogger.info('received');
    tracer.startSpan('db.query').end();
    await tick();
    backendLogger.info({ tenant_seen_by_handler: getTenant() }, 'replying');
    callback(null, { value: call.request.value });
  },
  async Stream(call: grpc.ServerWritableStream<EchoMessage, EchoMessage>) {
    backendBaggage.push(call.metadata.get('baggage').map(String));
    for (let i = 0; i < 2; i++) {
      await tick();
      backendLogger.info({ i }, 'streaming');
      call.write({ value: `${call.request.value}-${i}` });
    }
    call.end();
  },
};

// --- the public edge: trust policy + enrichment, exactly the pieces the envelop plugin calls ---
const enrich = tenantFromAuth((graphqlContext: { principal?: { tenantId: string } }) => graphqlContext.principal?.tenantId);
export const edgeLines: string[] = [];
const edgeLogger = pino({ base: undefined, mixin: traceMixin({ format: 'gcp', baggageKeys: ['tenant.id'] }) }, { write: (line: string) => void edgeLines.push(line) });

let server: RunningGrpcServer;
export let client: EchoClient;

/** Starts the backend on 127.0.0.1:0 and a client with tracehop's interceptor. */
export async function startBackend(): Promise<void> {
  server = await startGrpcServer(service, handlers, { interceptors: [createServerInterceptor({ tracerProvider: provider })] });
  const address = server.address;
  client = new Echo(address, grpc.credentials.createInsecure(), {
    interceptors: [createClientInterceptor({ tracerProvider: provider, target: address })],
  });
}

export async function stopBackend(): Promise<void> {
  client.close();
  await server.stop();
}

export function resetRecordings(): void {
  exporter.reset();
  backendLines.length = 0;
  edgeLines.length = 0;
  backendBaggage.length = 0;
}

/** One GraphQL request at the edge: extract, enrich from auth, then a unary and a streaming backend call. */
export async function edgeRequest(
  headers: HeadersLike,
  trustPolicy: Parameters<typeof compileTrustPolicy>[0],
  tenantId: string | undefined,
): Promise<void> {
  const policy = compileTrustPolicy(trustPolicy, { acceptBaggage: false });
  const inbound = policy.continueTrace(ROOT_CONTEXT, headers, headersGetter, headers);
  const ctx: Context = enrich(inbound.context, tenantId ? { principal: { tenantId } } : {});
  const span = tracer.startSpan('POST /graphql', { kind: SpanKind.SERVER, links: inbound.links }, ctx);
  await context.with(trace.setSpan(ctx, span), async () => {
    edgeLogger.info('operation started');
    await new Promise<EchoMessage>((resolve, reject) => client.say({ value: 'hi' }, (error, reply) => (error ? reject(error) : resolve(reply!))));
    await new Promise<void>((resolve, reject) => {
      const call = client.stream({ value: 's' });
      call.on('data', () => undefined).on('error', reject).on('end', resolve);
    });
  });
  span.end();
}

