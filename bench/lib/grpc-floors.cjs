// The gRPC floor, shared by both harnesses: what any interceptor pair that
// propagates a trace must pay before its own logic decides anything.
// Diagnostic, not a product.
'use strict';
const { CALLER_BAGGAGE, CALLER_TRACEPARENT } = require('./caller.cjs');

/** Client and server interceptors that do nothing: grpc-js's interceptor machinery alone. */
function passThroughInterceptors(grpc) {
  return {
    client: (options, nextCall) => new grpc.InterceptingCall(nextCall(options)),
    server: (_method, call) => new grpc.ServerInterceptingCall(call),
  };
}

/**
 * Client: the two headers propagation sends (`traceparent`, `baggage`), as
 * constants, into a copy of the caller's metadata: what grpc-js and http2
 * charge for carrying them, before any code decides what they say.
 */
function constantHeadersInterceptor(grpc) {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        const outgoing = metadata.clone();
        outgoing.set('traceparent', CALLER_TRACEPARENT);
        outgoing.set('baggage', CALLER_BAGGAGE);
        next(outgoing, listener);
      },
    });
}

/**
 * Server: one fixed context active while the (unary) handler runs, the least
 * any tracer must do there. No extraction, no span.
 */
function fixedContextInterceptor(grpc, api, fixed) {
  return (_method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start: (next) => next({ onReceiveHalfClose: (nextHalfClose) => api.context.with(fixed, nextHalfClose) }),
    });
}

module.exports = { passThroughInterceptors, constantHeadersInterceptor, fixedContextInterceptor };
