// One side of the gRPC benchmark in its own process: `server <variant>` or
// `client <variant> <address> <kind>` (kind: unary | stream).
// CommonJS because the instrumentation-grpc variant must be registered the
// documented way: SDK and instrumentation before grpc-js is required.
//
// variants: bare         no OpenTelemetry at all
//           context-only no tracehop, only the context manager the propagation variant needs
//                        (diagnostic: what AsyncLocalStorage alone costs)
//           empty-interceptors  context manager + pass-through interceptors on both sides
//                        (diagnostic: what grpc-js's interceptor machinery costs before any work)
//           constant-headers  active-handler + the client writes a fixed traceparent and baggage
//                        into a copy of the metadata (diagnostic: what carrying the headers costs)
//           propagation  tracehop interceptors, context manager only (no SDK)
//           spans        tracehop interceptors + SDK (BatchSpanProcessor, counting no-op exporter)
//           peer         @opentelemetry/instrumentation-grpc + the same SDK, no tracehop
'use strict';
const { startSdk, startContextOnly } = require('./lib/sdk.cjs');
const { serve, resourceSnapshot, closedLoop } = require('./lib/worker.cjs');

const [role, requested, address, kind] = process.argv.slice(2);
// "bare-again" is the A/A control: bare grpc-js in a second pair of processes.
const variant = requested === 'bare-again' ? 'bare' : requested;
const VARIANTS = ['bare', 'context-only', 'empty-interceptors', 'active-handler', 'constant-headers', 'propagation', 'spans', 'peer'];
if (!VARIANTS.includes(variant)) throw new Error(`unknown variant ${variant}`);

// --- telemetry first: the peer patches grpc-js at require time ---
const sdk = variant === 'spans' || variant === 'peer' ? startSdk() : undefined;
if (['context-only', 'empty-interceptors', 'active-handler', 'constant-headers', 'propagation'].includes(variant)) startContextOnly();
if (variant === 'peer') {
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');
  const { GrpcInstrumentation } = require('@opentelemetry/instrumentation-grpc');
  registerInstrumentations({ instrumentations: [new GrpcInstrumentation()] });
}

const grpc = require('@grpc/grpc-js');
const api = require('@opentelemetry/api');
const { loadEcho } = require('@tracehop/fixture-proto');
const { Echo, service } = loadEcho(grpc);

/** The caller's trace: every call runs inside this remote span context, with a tenant in baggage. */
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const STREAM_MESSAGES = 100;
const MESSAGE = { value: 'patient-0042:observation:heart-rate' };

/** The interceptors each variant installs: tracehop's, pass-through ones (diagnostic), or none. */
function serverInterceptors() {
  if (variant === 'empty-interceptors') return [(_method, call) => new grpc.ServerInterceptingCall(call)];
  if (variant === 'active-handler' || variant === 'constant-headers') return [activateFixedContext];
  if (variant !== 'propagation' && variant !== 'spans') return [];
  return [require('@tracehop/grpc').createServerInterceptor(tracehopOptions())];
}

/**
 * Diagnostic: the least any tracer must do on the server, make one context
 * active while the (unary) handler runs. No extraction, no span, no tracehop.
 */
function activateFixedContext(_method, call) {
  const fixed = callerContext();
  return new grpc.ServerInterceptingCall(call, {
    start: (next) => next({ onReceiveHalfClose: (nextHalfClose) => api.context.with(fixed, nextHalfClose) }),
  });
}

function clientInterceptors() {
  if (variant === 'empty-interceptors' || variant === 'active-handler') return [(options, nextCall) => new grpc.InterceptingCall(nextCall(options))];
  if (variant === 'constant-headers') return [writeConstantHeaders];
  if (variant !== 'propagation' && variant !== 'spans') return [];
  return [require('@tracehop/grpc').createClientInterceptor({ ...tracehopOptions(), target: address })];
}

/**
 * Diagnostic: the headers propagation puts on the wire, as constants, into a
 * copy of the caller's metadata. What grpc-js and http2 charge for carrying
 * them, before any code decides what they say.
 */
function writeConstantHeaders(options, nextCall) {
  return new grpc.InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      const outgoing = metadata.clone();
      outgoing.set('traceparent', `00-${TRACE_ID}-00f067aa0ba902b7-01`);
      outgoing.set('baggage', 'tenant.id=t_hospital_7');
      next(outgoing, listener);
    },
  });
}

function tracehopOptions() {
  return sdk ? { tracerProvider: sdk.provider } : {};
}

function callerContext() {
  const remote = api.trace.setSpanContext(api.ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: '00f067aa0ba902b7',
    traceFlags: api.TraceFlags.SAMPLED,
    isRemote: true,
  });
  return api.propagation.setBaggage(remote, api.propagation.createBaggage({ 'tenant.id': { value: 't_hospital_7' } }));
}

async function spanCount() {
  return sdk ? sdk.spanCount() : 0;
}

function runServer() {
  const server = new grpc.Server({ interceptors: serverInterceptors() });
  let calls = 0;
  let continued = 0;
  // Counts calls whose handler sees the caller's trace: propagation really happened.
  const observe = () => {
    calls++;
    if (api.trace.getSpanContext(api.context.active())?.traceId === TRACE_ID) continued++;
  };
  server.addService(service, {
    say(call, callback) {
      observe();
      callback(null, call.request);
    },
    stream(call) {
      observe();
      for (let i = 0; i < STREAM_MESSAGES; i++) call.write(call.request);
      call.end();
    },
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) throw error;
    serve(
      { snapshot: async () => ({ ...resourceSnapshot(), spans: await spanCount(), calls, continued }) },
      { address: `127.0.0.1:${port}` },
    );
  });
}

function runClient() {
  const client = new Echo(address, grpc.credentials.createInsecure(), { interceptors: clientInterceptors() });
  const context = callerContext();

  const unary = (done) => api.context.with(context, () => client.say(MESSAGE, (error) => done(error)));
  const stream = (done) =>
    api.context.with(context, () => {
      const call = client.stream(MESSAGE);
      let received = 0;
      let finished = false;
      const finish = (error) => {
        if (finished) return;
        finished = true;
        done(error);
      };
      call.on('data', () => received++);
      call.on('error', finish);
      call.on('end', () => finish(received === STREAM_MESSAGES ? undefined : new Error(`got ${received} messages`)));
    });

  serve({
    run: ({ seconds, concurrency }) => closedLoop(kind === 'stream' ? stream : unary, { seconds, concurrency }),
    snapshot: async () => ({ ...resourceSnapshot(), spans: await spanCount() }),
  });
}

if (role === 'server') runServer();
else if (role === 'client') runClient();
else throw new Error(`unknown role ${role}`);
