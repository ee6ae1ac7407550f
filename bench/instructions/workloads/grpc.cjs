// One gRPC unary variant under instruction counting, client and server in one
// process and no sockets: `node grpc.cjs <variant> <calls>`.
//
// Everything grpc-js runs above its transport is real (grpc-wire.cjs): the
// Client (makeUnaryRequest, so instrumentation-grpc's client patch applies),
// both interceptor chains, metadata to HTTP/2 headers and back, protobuf,
// grpc-js's unary handler protocol and a handler registered through
// Server#addService (so the peer's server patch applies). Only http2 and the
// socket are replaced. CommonJS: the peer must patch grpc-js before it loads.
'use strict';
const { callerContext, CALLER_TRACE_ID } = require('../../lib/caller.cjs');
const { constantHeadersInterceptor, fixedContextInterceptor, passThroughInterceptors } = require('../../lib/grpc-floors.cjs');
const { startSdk, startContextOnly } = require('../../lib/sdk.cjs');

const [variant, callsArg] = process.argv.slice(2);
const CALLS = Number(callsArg);
// Issue 24.6's options on top of `spans`: each variant's FEATURES entry is added to both interceptors' options.
const FEATURES = {
  'spans-ignore-list': { ignoreMethods: ['grpc.health.v1.Health/*'] }, // a list that does not match Say: the lookup only
  'spans-ignored': { ignoreMethods: ['tracehop.fixture.Echo/Say'] }, // Say left out: propagation, no span
  'spans-metadata-attributes': { metadataAttributes: ['x-request-id'] }, // listed, not sent: the read only
  'spans-hooks': { onStart() {}, onEnd() {} },
};
const VARIANTS = ['bare', 'context-only', 'empty-interceptors', 'constant-headers', 'propagation', 'sdk-only', 'propagation-sdk', 'propagation-sdk-tracehop-propagator', 'spans', 'spans-tracehop-propagator', ...Object.keys(FEATURES), 'peer'];
if (!VARIANTS.includes(variant) || !(CALLS > 0)) throw new Error(`usage: grpc.cjs <${VARIANTS.join('|')}> <calls>`);

// --- telemetry first: the peer patches grpc-js at require time ---
/** Variants that run tracehop's interceptors, and those of them that record spans. */
const TRACEHOP = ['propagation', 'propagation-sdk', 'propagation-sdk-tracehop-propagator', 'spans', 'spans-tracehop-propagator', ...Object.keys(FEATURES)].includes(variant);
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

const grpc = require('@grpc/grpc-js');
const api = require('@opentelemetry/api');
const { loadEcho } = require('@tracehop/fixture-proto');
const { createWire, WIRE_TARGET } = require('./grpc-wire.cjs');
const { Echo, service } = loadEcho(grpc);

const MESSAGE = { value: 'patient-0042:observation:heart-rate' };

function interceptors() {
  if (variant === 'empty-interceptors') {
    const { client, server } = passThroughInterceptors(grpc);
    return { clientInterceptors: [client], serverInterceptors: [server] };
  }
  // The floor: the two headers as constants; one fixed context around the handler.
  if (variant === 'constant-headers') return { clientInterceptors: [constantHeadersInterceptor(grpc)], serverInterceptors: [fixedContextInterceptor(grpc, api, callerContext(api))] };
  if (!TRACEHOP) return {};
  const { createClientInterceptor, createServerInterceptor } = require('@tracehop/grpc');
  const options = { ...(sdk ? { tracerProvider: sdk.provider } : {}), recordSpans: RECORD_SPANS, ...FEATURES[variant] };
  return { clientInterceptors: [createClientInterceptor({ ...options, target: WIRE_TARGET })], serverInterceptors: [createServerInterceptor(options)] };
}

let served = 0;
let continued = 0;
const client = createWire({
  grpc,
  ClientConstructor: Echo,
  service,
  methodPath: '/tracehop.fixture.Echo/Say',
  implementation: {
    say(call, callback) {
      served++;
      if (api.trace.getSpanContext(api.context.active())?.traceId === CALLER_TRACE_ID) continued++;
      callback(null, call.request);
    },
  },
  ...interceptors(),
});
const caller = callerContext(api);

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
