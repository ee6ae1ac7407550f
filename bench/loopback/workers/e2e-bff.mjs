// The end-to-end BFF: Yoga over node:http, two gRPC calls to the backend
// per request, a pino line per resolver.
//   off  no OpenTelemetry, plain pino
//   sdk-only  SDK registered, nothing else (diagnostic)
//   on   SDK + useTraceContext() + tracehop client interceptor + pino traceMixin
import { createServer } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { useTraceContext } from '@tracehop/envelop';
import { loadEcho } from '@tracehop/fixture-proto';
import { createClientInterceptor } from '@tracehop/grpc';
import { traceMixin } from '@tracehop/pino';
import { createYoga } from 'graphql-yoga';
import { pino } from 'pino';
import { e2eSchema } from '../../lib/e2e-schema.mjs';
import sdkLib from '../../lib/sdk.cjs';
import workerLib from '../harness/worker.cjs';

const { serve, resourceSnapshot } = workerLib;
const on = process.argv[2] === 'on';
const backend = process.argv[3];
const sdk = on || process.argv[2] === 'sdk-only' ? sdkLib.startSdk() : undefined;
const tracerProvider = sdk?.provider;

const logger = pino(on ? { mixin: traceMixin() } : {}, pino.destination({ dest: '/dev/null', sync: true }));
const { Echo } = loadEcho(grpc);
const interceptors = on ? [createClientInterceptor({ tracerProvider, target: backend })] : [];
const client = new Echo(backend, grpc.credentials.createInsecure(), { interceptors });

function say(value) {
  return new Promise((resolve, reject) => client.say({ value }, (error, reply) => (error ? reject(error) : resolve(reply.value))));
}

const yoga = createYoga({
  schema: e2eSchema(say, logger),
  plugins: on ? [useTraceContext({ tracerProvider })] : [],
  logging: false,
  graphiql: false,
  landingPage: false,
});
const server = createServer(yoga);
// A variant sits idle while the others run; with the default 5 s keep-alive
// timeout the server closes its idle sockets and the load generator's next
// request on one fails with "socket hang up" (nodejs/node#20256). 0 keeps
// them open, as a long-lived BFF connection from a gateway would be.
server.keepAliveTimeout = 0;
server.listen(0, '127.0.0.1', () => {
  serve(
    { snapshot: async () => ({ ...resourceSnapshot(), spans: sdk ? await sdk.spanCount() : 0 }) },
    { port: server.address().port },
  );
});
