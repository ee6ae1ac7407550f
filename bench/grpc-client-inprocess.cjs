// The gRPC client interceptor's own synchronous work per call, without a
// network: grpc-js's real InterceptingCall machinery over a bottom call that
// only records the metadata, in one process, ns per call. What the loopback
// benchmark cannot show through its ±10 µs noise.
//
//   node bench/grpc-client-inprocess.cjs
'use strict';
const { startContextOnly } = require('./lib/sdk.cjs');

startContextOnly();
const grpc = require('@grpc/grpc-js');
const api = require('@opentelemetry/api');
const { createClientInterceptor } = require('@tracehop/grpc');

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const ROUNDS = 5;
const CALLS = 200_000;

const VARIANTS = {
  'pass-through': (options, nextCall) => new grpc.InterceptingCall(nextCall(options)),
  // The headers propagation sends, as constants, into a copy of the metadata.
  'constant headers': (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        const outgoing = metadata.clone();
        outgoing.set('traceparent', `00-${TRACE_ID}-00f067aa0ba902b7-01`);
        outgoing.set('baggage', 'tenant.id=t_hospital_7');
        next(outgoing, listener);
      },
    }),
  'tracehop (no SDK)': createClientInterceptor({ target: '127.0.0.1:50051' }),
};

const callerContext = api.propagation.setBaggage(
  api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId: TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true }),
  api.propagation.createBaggage({ 'tenant.id': { value: 't_hospital_7' } }),
);
const callOptions = { method_definition: { path: '/tracehop.fixture.Echo/Say' } };
const status = { code: grpc.status.OK, details: 'OK', metadata: new grpc.Metadata() };
let lastSent;
const bottomCall = {
  start(metadata, listener) {
    // Reading what reached the wire keeps the work observable (checked below).
    lastSent = metadata.get('traceparent')[0];
    this.listener = listener;
  },
  sendMessageWithContext() {},
  sendMessage() {},
  startRead() {},
  halfClose() {},
  cancelWithStatus() {},
  getPeer: () => '127.0.0.1:50051',
};
const nextCall = () => Object.create(bottomCall);
const listener = { onReceiveMetadata() {}, onReceiveMessage() {}, onReceiveStatus() {} };

function oneCall(interceptor) {
  const call = interceptor(callOptions, nextCall);
  call.start(new grpc.Metadata(), listener);
  call.nextCall.listener.onReceiveStatus(status);
}

function nsPerCall(interceptor, calls) {
  const started = process.hrtime.bigint();
  api.context.with(callerContext, () => {
    for (let i = 0; i < calls; i++) oneCall(interceptor);
  });
  return Number(process.hrtime.bigint() - started) / calls;
}

for (const interceptor of Object.values(VARIANTS)) nsPerCall(interceptor, CALLS / 4); // warm-up
const samples = new Map(Object.keys(VARIANTS).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, interceptor] of Object.entries(VARIANTS)) samples.get(name).push(nsPerCall(interceptor, CALLS));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`| client interceptor | ns per call (median of ${ROUNDS} × ${CALLS}) |`);
console.log('|---|---|');
for (const [name, values] of samples) console.log(`| ${name} | ${median(values).toFixed(0)} |`);
// The propagating variants must really have sent the caller's trace.
for (const name of ['constant headers', 'tracehop (no SDK)']) {
  api.context.with(callerContext, () => oneCall(VARIANTS[name]));
  if (!String(lastSent).includes(TRACE_ID)) throw new Error(`${name} sent no traceparent of the caller's trace`);
}
