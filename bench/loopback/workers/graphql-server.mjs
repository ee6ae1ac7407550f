// A GraphQL Yoga server over node:http in its own process, one per variant:
//   bare                  no OpenTelemetry
//   sdk-only              the SDK registered, no plugin (diagnostic: what the SDK's context manager costs alone)
//   minimal-span          diagnostic: the least an operation-span plugin does (start a span, make it
//                         active around execute, end it), no extraction, naming or error recording
//   trace                 useTraceContext() — operation span
//   trace-resolvers       useTraceContext({ resolverSpans: true })
//   envelop-otel          @envelop/opentelemetry useOpenTelemetry({ resolvers: false }, provider)
//   envelop-otel-resolvers  useOpenTelemetry({ resolvers: true }, provider)
// Every variant but bare registers the same SDK (bench/lib/sdk.cjs).
import { createServer } from 'node:http';
import { useOpenTelemetry } from '@envelop/opentelemetry';
import { useTraceContext } from '@tracehop/envelop';
import { createYoga } from 'graphql-yoga';
import { minimalSpanPlugin } from '../../lib/minimal-span-plugin.mjs';
import { patientsSchema } from '../../lib/patients-schema.mjs';
import sdkLib from '../../lib/sdk.cjs';
import workerLib from '../harness/worker.cjs';

const { serve, resourceSnapshot } = workerLib;
// "bare-again" is the A/A control: bare Yoga in a second process.
const variant = process.argv[2] === 'bare-again' ? 'bare' : process.argv[2];
const sdk = variant === 'bare' ? undefined : sdkLib.startSdk();

function plugins() {
  const tracerProvider = sdk?.provider;
  switch (variant) {
    case 'bare':
    case 'sdk-only':
      return [];
    case 'minimal-span':
      return [minimalSpanPlugin(tracerProvider.getTracer('bench-minimal-span'))];
    case 'trace':
      return [useTraceContext({ tracerProvider })];
    case 'trace-resolvers':
      return [useTraceContext({ tracerProvider, resolverSpans: true })];
    case 'envelop-otel':
      return [useOpenTelemetry({ resolvers: false }, tracerProvider)];
    case 'envelop-otel-resolvers':
      return [useOpenTelemetry({ resolvers: true }, tracerProvider)];
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}

const yoga = createYoga({ schema: patientsSchema(), plugins: plugins(), logging: false, graphiql: false, landingPage: false });
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
