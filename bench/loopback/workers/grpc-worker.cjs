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
//           active-handler  pass-through client interceptor; the server makes one fixed context
//                        active around the handler (diagnostic: what keeping a context active costs)
//           constant-headers  active-handler + the client writes a fixed traceparent and baggage
//                        into a copy of the metadata (diagnostic: what carrying the headers costs)
//           propagation  tracehop interceptors, context manager only (no SDK)
//           spans        tracehop interceptors + SDK (BatchSpanProcessor, counting no-op exporter)
//           peer         @opentelemetry/instrumentation-grpc + the same SDK, no tracehop
'use strict';
const { callerContext, CALLER_TRACE_ID } = require('../../lib/caller.cjs');
const { constantHeadersInterceptor, fixedContextInterceptor, passThroughInterceptors } = require('../../lib/grpc-floors.cjs');
const { startSdk, startContextOnly } = require('../../lib/sdk.cjs');
const { serve, resourceSnapshot, closedLoop } = require('../harness/worker.cjs');

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

const STREAM_MESSAGES = 100;
const MESSAGE = { value: 'patient-0042:observation:heart-rate' };

/** The interceptors each variant installs: tracehop's, the floor's steps (diagnostic), or none. */
function serverInterceptors() {
  if (variant === 'empty-interceptors') return [passThroughInterceptors(grpc).server];
  if (variant === 'active-handler' || variant === 'constant-headers') return [fixedContextInterceptor(grpc, api, callerContext(api))];
  if (variant !== 'propagation' && variant !== 'spans') return [];
  return [require('@tracehop/grpc').createServerInterceptor(tracehopOptions())];
}

function clientInterceptors() {
  if (variant === 'empty-interceptors' || variant === 'active-handler') return [passThroughInterceptors(grpc).client];
  if (variant === 'constant-headers') return [constantHeadersInterceptor(grpc)];
  if (variant !== 'propagation' && variant !== 'spans') return [];
  return [require('@tracehop/grpc').createClientInterceptor({ ...tracehopOptions(), target: address })];
}

function tracehopOptions() {
  return sdk ? { tracerProvider: sdk.provider } : {};
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
    if (api.trace.getSpanContext(api.context.active())?.traceId === CALLER_TRACE_ID) continued++;
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
  const context = callerContext(api);

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
