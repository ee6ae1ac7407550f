// A Sentry-instrumented Node gRPC backend, run in its own process: real
// @sentry/node (its OpenTelemetry tracer provider, context manager and
// propagator become the globals) with tracehop's server interceptor in front
// of the handler. `Say` captures a Sentry message event and answers with what
// the handler saw: the active trace, the baggage, and the raw trace metadata.
//   env: SENTRY_DSN, BACKEND_PROPAGATOR = "w3c" (tracehop's W3C propagator, explicit)
//        or "global" (the registered one: Sentry's, which reads only sentry-trace + baggage)
import { context, propagation, trace } from '@opentelemetry/api';
import * as Sentry from '@sentry/node';
import * as grpc from '@grpc/grpc-js';
import { createPropagator } from '@tracehop/core';
import { loadEcho, type EchoMessage } from '@tracehop/fixture-proto';
import { createServerInterceptor } from '@tracehop/grpc';
import type { BackendObservation } from './observation.js';

Sentry.init({ dsn: process.env.SENTRY_DSN, tracesSampleRate: 1, environment: 'production', release: 'backend@1.0.0' });

const TRACE_KEYS = ['traceparent', 'tracestate', 'baggage', 'sentry-trace'];
const { service } = loadEcho(grpc);
const propagator = process.env.BACKEND_PROPAGATOR === 'global' ? {} : { propagator: createPropagator() };
const server = new grpc.Server({ interceptors: [createServerInterceptor(propagator)] });

server.addService(service, {
  Say(call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
    Sentry.captureMessage('backend: patient record loaded');
    const spanContext = trace.getSpanContext(context.active());
    const baggage = Object.fromEntries((propagation.getBaggage(context.active())?.getAllEntries() ?? []).map(([k, e]) => [k, e.value]));
    const metadata = Object.fromEntries(TRACE_KEYS.map((key) => [key, call.metadata.get(key).map(String)]));
    const observed: BackendObservation = { traceId: spanContext?.traceId ?? null, spanId: spanContext?.spanId ?? null, baggage, metadata };
    callback(null, { value: JSON.stringify(observed) });
  },
  Stream(call: grpc.ServerWritableStream<EchoMessage, EchoMessage>) {
    call.end();
  },
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  console.log(`LISTENING 127.0.0.1:${port}`);
});
process.on('SIGTERM', () => {
  server.forceShutdown();
  void Sentry.close(2_000).then(() => process.exit(0));
});
