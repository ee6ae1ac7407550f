// The whole request in one process under instruction counting:
// `node e2e.cjs <variant> <requests>`. Yoga (`yoga.fetch`, no sockets) runs
// the end-to-end BFF schema (bench/lib/e2e-schema.mjs: two backend calls and
// two log lines per request); each backend call crosses grpc-wire.cjs into an
// Echo handler that logs one line. So per request: 1 operation, 2 gRPC hops,
// 4 log lines, as in the HTTP end-to-end benchmark.
//   off      no OpenTelemetry
//   sdk-only SDK registered, nothing else (diagnostic)
//   floors   every hop's floor: minimal one-span plugin, constant headers +
//            fixed handler context, a constant three-field mixin
//   on       tracehop everywhere: useTraceContext, client + server interceptors, traceMixin
//   on-propagation  the same with the gRPC interceptors' recordSpans: false, so it
//            records what the floors record (1 span per request)
//   peers    @envelop/opentelemetry, instrumentation-grpc, instrumentation-pino
'use strict';
const { CALLER_SPAN_ID, CALLER_TRACE_ID, CALLER_TRACEPARENT } = require('../../lib/caller.cjs');
const { constantHeadersInterceptor, fixedContextInterceptor } = require('../../lib/grpc-floors.cjs');
const { startSdk } = require('../../lib/sdk.cjs');

const [variant, requestsArg] = process.argv.slice(2);
const REQUESTS = Number(requestsArg);
const VARIANTS = ['off', 'sdk-only', 'floors', 'on', 'on-propagation', 'peers'];
const TRACEHOP = variant === 'on' || variant === 'on-propagation';
if (!VARIANTS.includes(variant) || !(REQUESTS > 0)) throw new Error(`usage: e2e.cjs <${VARIANTS.join('|')}> <requests>`);

const sdk = variant === 'off' ? undefined : startSdk();
if (variant === 'peers') {
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');
  const { GrpcInstrumentation } = require('@opentelemetry/instrumentation-grpc');
  const { PinoInstrumentation } = require('@opentelemetry/instrumentation-pino');
  registerInstrumentations({ instrumentations: [new GrpcInstrumentation(), new PinoInstrumentation({ disableLogSending: true })] });
}
const grpc = require('@grpc/grpc-js');
const api = require('@opentelemetry/api');
const pino = require('pino');
const { createYoga } = require('graphql-yoga');
const { loadEcho } = require('@tracehop/fixture-proto');
const { createWire, WIRE_TARGET } = require('./grpc-wire.cjs');
const { e2eSchema, PATIENT_QUERY, PATIENT_VARIABLES } = require('../../lib/e2e-schema.mjs');
const { minimalSpanPlugin } = require('../../lib/minimal-span-plugin.mjs');

const provider = sdk?.provider;
const CONCURRENCY = 16;
const constantFields = () => ({ trace_id: CALLER_TRACE_ID, span_id: '00f067aa0ba902b7', trace_flags: '01' });

function loggerOptions() {
  if (TRACEHOP) return { mixin: require('@tracehop/pino').traceMixin() };
  if (variant === 'floors') return { mixin: constantFields };
  return {};
}
function plugins() {
  if (TRACEHOP) return [require('@tracehop/envelop').useTraceContext({ tracerProvider: provider })];
  if (variant === 'floors') return [minimalSpanPlugin(provider.getTracer('bench-minimal-span'))];
  if (variant === 'peers') return [require('@envelop/opentelemetry').useOpenTelemetry({ resolvers: false }, provider)];
  return [];
}
function interceptors() {
  if (TRACEHOP) {
    const { createClientInterceptor, createServerInterceptor } = require('@tracehop/grpc');
    const recordSpans = variant === 'on';
    return {
      clientInterceptors: [createClientInterceptor({ tracerProvider: provider, target: WIRE_TARGET, recordSpans })],
      serverInterceptors: [createServerInterceptor({ tracerProvider: provider, recordSpans })],
    };
  }
  if (variant !== 'floors') return {};
  // The gRPC floor: the two headers as constants, one fixed context around the handler.
  const fixed = api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId: CALLER_TRACE_ID, spanId: CALLER_SPAN_ID, traceFlags: 1, isRemote: true });
  return { clientInterceptors: [constantHeadersInterceptor(grpc)], serverInterceptors: [fixedContextInterceptor(grpc, api, fixed)] };
}

const destination = pino.destination({ dest: '/dev/null', sync: true });
const bffLogger = pino(loggerOptions(), destination);
const backendLogger = pino(loggerOptions(), destination);
const { Echo, service } = loadEcho(grpc);
let continued = 0;
let traced = 0;
const client = createWire({
  grpc,
  ClientConstructor: Echo,
  service,
  methodPath: '/tracehop.fixture.Echo/Say',
  implementation: {
    say(call, callback) {
      const seen = api.trace.getSpanContext(api.context.active());
      if (seen) traced++;
      if (seen?.traceId === CALLER_TRACE_ID) continued++;
      backendLogger.info({ value: call.request.value }, 'echo');
      callback(null, { value: `echo ${call.request.value}` });
    },
  },
  ...interceptors(),
});
const say = (value) => new Promise((resolve, reject) => client.say({ value }, (error, reply) => (error ? reject(error) : resolve(reply.value))));

const yoga = createYoga({ schema: e2eSchema(say, bffLogger), plugins: plugins(), logging: false, graphiql: false, landingPage: false });
const body = JSON.stringify({ query: PATIENT_QUERY, variables: PATIENT_VARIABLES, operationName: 'PatientChart' });

async function request() {
  const response = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json', traceparent: CALLER_TRACEPARENT }, body });
  const result = await response.json();
  if (result.errors) throw new Error(JSON.stringify(result.errors));
}

(async () => {
  let started = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (started++ < REQUESTS) await request();
    }),
  );
  const spans = sdk ? await sdk.spanCount() : 0;
  console.log(JSON.stringify({ ops: REQUESTS, traced, continued, spans }));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
