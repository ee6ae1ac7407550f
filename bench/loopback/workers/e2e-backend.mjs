// The end-to-end gRPC backend (Echo.say logs one line and replies).
//   off  no OpenTelemetry, plain pino
//   sdk-only  SDK registered, nothing else (diagnostic)
//   on   SDK + tracehop server interceptor + pino traceMixin
import * as grpc from '@grpc/grpc-js';
import { context, trace } from '@opentelemetry/api';
import { loadEcho } from '@tracehop/fixture-proto';
import { createServerInterceptor } from '@tracehop/grpc';
import { traceMixin } from '@tracehop/pino';
import { pino } from 'pino';
import sdkLib from '../../lib/sdk.cjs';
import workerLib from '../harness/worker.cjs';

const { serve, resourceSnapshot } = workerLib;
const on = process.argv[2] === 'on';
const traceId = process.argv[3];
const sdk = on || process.argv[2] === 'sdk-only' ? sdkLib.startSdk() : undefined;

const logger = pino(on ? { mixin: traceMixin() } : {}, pino.destination({ dest: '/dev/null', sync: true }));
const { service } = loadEcho(grpc);
const server = new grpc.Server({ interceptors: on ? [createServerInterceptor({ tracerProvider: sdk.provider })] : [] });
let calls = 0;
let continued = 0;
server.addService(service, {
  say(call, callback) {
    calls++;
    if (trace.getSpanContext(context.active())?.traceId === traceId) continued++;
    logger.info({ value: call.request.value }, 'echo');
    callback(null, { value: `echo ${call.request.value}` });
  },
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  serve(
    { snapshot: async () => ({ ...resourceSnapshot(), spans: sdk ? await sdk.spanCount() : 0, calls, continued }) },
    { address: `127.0.0.1:${port}` },
  );
});
