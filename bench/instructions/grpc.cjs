// One gRPC unary variant under instruction counting, client and server in one
// process and no sockets: `node grpc.cjs <variant> <calls>`.
//
// Everything grpc-js runs above its transport is real: the Client
// (makeUnaryRequest, so instrumentation-grpc's client patch applies), the
// client interceptor chain (InterceptingCall), metadata to HTTP/2 headers
// and back, protobuf (de)serialization, the server interceptor chain
// (ServerInterceptingCall), grpc-js's unary handler protocol (copied from its
// handleUnary) and a handler registered through Server#addService (so
// instrumentation-grpc's server patch applies). Only http2 and the socket are
// replaced by a "wire" that delivers each side's events on a later turn of the
// event loop, outside any caller context (an AsyncResource made at start-up),
// as socket events arrive. CommonJS: the peer must patch grpc-js before it loads.
'use strict';
const { startSdk, startContextOnly } = require('../lib/sdk.cjs');

const [variant, callsArg] = process.argv.slice(2);
const CALLS = Number(callsArg);
const VARIANTS = ['bare', 'context-only', 'empty-interceptors', 'constant-headers', 'propagation', 'sdk-only', 'propagation-sdk', 'propagation-sdk-tracehop-propagator', 'spans', 'spans-tracehop-propagator', 'peer'];
if (!VARIANTS.includes(variant) || !(CALLS > 0)) throw new Error(`usage: grpc.cjs <${VARIANTS.join('|')}> <calls>`);

// --- telemetry first: the peer patches grpc-js at require time ---
/** Variants that run tracehop's interceptors, and those of them that record spans. */
const TRACEHOP = ['propagation', 'propagation-sdk', 'propagation-sdk-tracehop-propagator', 'spans', 'spans-tracehop-propagator'].includes(variant);
const RECORD_SPANS = variant.startsWith('spans');
const withSdk = ['sdk-only', 'peer'].includes(variant) || (TRACEHOP && variant !== 'propagation');
// `…-tracehop-propagator`: the SDK registered with tracehop's propagator as the
// global one (W3C trace context + memoized W3C baggage, the same headers).
const sdk = withSdk ? startSdk(variant.endsWith('-tracehop-propagator') ? { propagator: require('@tracehop/core').createPropagator() } : {}) : undefined;
if (['context-only', 'empty-interceptors', 'constant-headers', 'propagation'].includes(variant)) startContextOnly();
if (variant === 'peer') {
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');
  const { GrpcInstrumentation } = require('@opentelemetry/instrumentation-grpc');
  registerInstrumentations({ instrumentations: [new GrpcInstrumentation()] });
}

const { AsyncResource } = require('node:async_hooks');
const grpc = require('@grpc/grpc-js');
const { ServerUnaryCallImpl, serverErrorToStatus } = require('@grpc/grpc-js/build/src/server-call');
const api = require('@opentelemetry/api');
const { loadEcho } = require('@tracehop/fixture-proto');
const { Echo, service } = loadEcho(grpc);

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TARGET = '127.0.0.1:50051';
const MESSAGE = { value: 'patient-0042:observation:heart-rate' };

// ---------------------------------------------------------------- variants
function tracehopOptions() {
  return sdk ? { tracerProvider: sdk.provider } : {};
}
function callerContext() {
  const remote = api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId: TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags: api.TraceFlags.SAMPLED, isRemote: true });
  return api.propagation.setBaggage(remote, api.propagation.createBaggage({ 'tenant.id': { value: 't_hospital_7' } }));
}
function clientInterceptors() {
  if (variant === 'empty-interceptors') return [(options, nextCall) => new grpc.InterceptingCall(nextCall(options))];
  if (variant === 'constant-headers') {
    // The floor: the two headers propagation sends, as constants, into a copy of the metadata.
    return [
      (options, nextCall) =>
        new grpc.InterceptingCall(nextCall(options), {
          start(metadata, listener, next) {
            const outgoing = metadata.clone();
            outgoing.set('traceparent', `00-${TRACE_ID}-00f067aa0ba902b7-01`);
            outgoing.set('baggage', 'tenant.id=t_hospital_7');
            next(outgoing, listener);
          },
        }),
    ];
  }
  if (TRACEHOP) {
    return [require('@tracehop/grpc').createClientInterceptor({ ...tracehopOptions(), target: TARGET, recordSpans: RECORD_SPANS })];
  }
  return [];
}
function serverInterceptors() {
  if (variant === 'empty-interceptors') return [(_method, call) => new grpc.ServerInterceptingCall(call)];
  if (variant === 'constant-headers') {
    // The floor, server side: one fixed context active while the handler runs.
    const fixed = callerContext();
    return [(_method, call) => new grpc.ServerInterceptingCall(call, { start: (next) => next({ onReceiveHalfClose: (nextHalfClose) => api.context.with(fixed, nextHalfClose) }) })];
  }
  if (TRACEHOP) {
    return [require('@tracehop/grpc').createServerInterceptor({ ...tracehopOptions(), recordSpans: RECORD_SPANS })];
  }
  return [];
}

// ---------------------------------------------------------------- server
let served = 0;
let continued = 0;
const server = new grpc.Server();
server.addService(service, {
  say(call, callback) {
    served++;
    if (api.trace.getSpanContext(api.context.active())?.traceId === TRACE_ID) continued++;
    callback(null, call.request);
  },
});
const HANDLER = server.handlers.get('/tracehop.fixture.Echo/Say');
const METHOD = { path: HANDLER.path, requestStream: false, responseStream: false, requestDeserialize: HANDLER.deserialize, responseSerialize: HANDLER.serialize };
const SERVER_INTERCEPTORS = serverInterceptors();

/** The wire: later turn of the event loop, no caller context (made before any call). */
const wire = new AsyncResource('bench-wire');
const deliver = (fn) => setImmediate(() => wire.runInAsyncScope(fn));

/** The server's bottom call, what BaseServerInterceptingCall does above http2. */
class ServerWireCall {
  constructor(clientCall) {
    this.clientCall = clientCall;
    this.metadata = grpc.Metadata.fromHttp2Headers(clientCall.headers);
    this.reads = 0;
  }
  start(listener) {
    this.listener = listener;
    listener.onReceiveMetadata(this.metadata);
  }
  startRead() {
    const read = this.reads++;
    if (read === 0) deliver(() => this.listener.onReceiveMessage(HANDLER.deserialize(this.clientCall.request)));
    else if (read === 1) deliver(() => this.listener.onReceiveHalfClose());
  }
  sendMetadata(metadata) {
    this.responseHeaders = metadata.toHttp2Headers();
  }
  sendMessage(message, callback) {
    this.response = HANDLER.serialize(message);
    callback();
  }
  sendStatus(status) {
    const trailers = status.metadata?.toHttp2Headers();
    const { clientCall } = this;
    deliver(() => {
      const listener = clientCall.listener;
      listener.onReceiveMetadata(grpc.Metadata.fromHttp2Headers(this.responseHeaders ?? {}));
      if (this.response) listener.onReceiveMessage(this.response);
      listener.onReceiveStatus({ code: status.code, details: status.details, metadata: grpc.Metadata.fromHttp2Headers(trailers ?? {}) });
    });
  }
  getPeer() {
    return '127.0.0.1:40000';
  }
  getDeadline() {
    return Infinity;
  }
  getHost() {
    return TARGET;
  }
  getAuthContext() {
    return {};
  }
  getConnectionInfo() {
    return { localAddress: '127.0.0.1', localPort: 50051, remoteAddress: '127.0.0.1', remotePort: 40000 };
  }
  getMetricsRecorder() {
    return { reportQpsInternal() {} };
  }
}

/** grpc-js's handleUnary (server.js), the part a successful unary call runs. */
function handleUnary(call, handler) {
  const respond = (error, value, trailer) => {
    if (error) return call.sendStatus(serverErrorToStatus(error, trailer));
    call.sendMessage(value, () => call.sendStatus({ code: grpc.status.OK, details: 'OK', metadata: trailer ?? null }));
  };
  let requestMetadata;
  let requestMessage = null;
  call.start({
    onReceiveMetadata(metadata) {
      requestMetadata = metadata;
      call.startRead();
    },
    onReceiveMessage(message) {
      requestMessage = message;
      call.startRead();
    },
    onReceiveHalfClose() {
      handler.func(new ServerUnaryCallImpl(handler.path, call, requestMetadata, requestMessage), respond);
    },
    onCancel() {},
  });
}

function serve(clientCall) {
  const call = SERVER_INTERCEPTORS.reduce((next, interceptor) => interceptor(METHOD, next), new ServerWireCall(clientCall));
  handleUnary(call, HANDLER);
}

// ---------------------------------------------------------------- client
/** The client's bottom call, what a subchannel call does above http2. */
class ClientWireCall {
  start(metadata, listener) {
    this.listener = listener;
    this.headers = metadata.toHttp2Headers();
  }
  sendMessageWithContext(context, message) {
    this.request = message;
    context.callback?.();
  }
  halfClose() {
    deliver(() => serve(this));
  }
  startRead() {}
  cancelWithStatus() {}
  getPeer() {
    return TARGET;
  }
  setCredentials() {}
  getCallNumber() {
    return 0;
  }
}
const channel = {
  createCall: () => new ClientWireCall(),
  getTarget: () => `dns:${TARGET}`,
  getConnectivityState: () => grpc.connectivityState.READY,
  watchConnectivityState() {},
  close() {},
};
const client = new Echo(TARGET, grpc.credentials.createInsecure(), { channelOverride: channel, interceptors: clientInterceptors() });
const caller = callerContext();

function oneCall() {
  return new Promise((resolve, reject) =>
    api.context.with(caller, () =>
      client.say(MESSAGE, (error, reply) => {
        if (error) reject(error);
        else if (reply.value !== MESSAGE.value) reject(new Error(`wrong reply ${reply.value}`));
        else resolve();
      }),
    ),
  );
}

(async () => {
  for (let i = 0; i < CALLS; i++) await oneCall();
  const spans = sdk ? await sdk.spanCount() : 0;
  console.log(JSON.stringify({ ops: CALLS, served, continued, spans }));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
