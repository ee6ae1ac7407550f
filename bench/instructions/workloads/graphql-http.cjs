// GraphQL over HTTP under instruction counting: `node graphql-http.cjs <variant> <requests>`.
// The same WardOverview request as graphql.mjs, but through a real node:http
// server on 127.0.0.1 (Yoga as its request listener) and a keep-alive client
// in the same process, 16 in flight: what "over HTTP" adds (sockets, HTTP
// parsing, whatwg-node's Request/Response) is in every variant's count, and
// so is the client. Sockets make these counts less repeatable than the
// in-process ones; the spread is reported next to each figure.
//
// CommonJS, so instrumentation-http can patch node:http before it loads: the
// peer only continues the caller's trace with it (`envelop-otel-http`).
'use strict';
const { CALLER_TRACEPARENT } = require('../../lib/caller.cjs');
const { startSdk } = require('../../lib/sdk.cjs');

const [variant, requestsArg] = process.argv.slice(2);
const REQUESTS = Number(requestsArg);
const VARIANTS = ['bare', 'minimal-span', 'trace', 'trace-http-attributes', 'envelop-otel', 'envelop-otel-http'];
if (!VARIANTS.includes(variant) || !(REQUESTS > 0)) throw new Error(`usage: graphql-http.cjs <${VARIANTS.join('|')}> <requests>`);

const sdk = variant === 'bare' ? undefined : startSdk();
if (variant === 'envelop-otel-http') {
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
  // Server side only: the load client in this process is not the app.
  registerInstrumentations({ instrumentations: [new HttpInstrumentation({ disableOutgoingRequestInstrumentation: true })] });
}
const http = require('node:http');
const { createYoga } = require('graphql-yoga');
const { useOpenTelemetry } = require('@envelop/opentelemetry');
const { useTraceContext } = require('@tracehop/envelop');
const { minimalSpanPlugin } = require('../../lib/minimal-span-plugin.mjs');
const { patientsSchema, WARD_QUERY, WARD_VARIABLES } = require('../../lib/patients-schema.mjs');

const CONCURRENCY = 16;
const provider = sdk?.provider;
const PLUGINS = {
  bare: () => [],
  'minimal-span': () => [minimalSpanPlugin(provider.getTracer('bench-minimal-span'))],
  trace: () => [useTraceContext({ tracerProvider: provider })],
  'trace-http-attributes': () => [useTraceContext({ tracerProvider: provider, httpAttributes: true })],
  'envelop-otel': () => [useOpenTelemetry({ resolvers: false }, provider)],
  'envelop-otel-http': () => [useOpenTelemetry({ resolvers: false }, provider)],
};

const yoga = createYoga({ schema: patientsSchema(), plugins: PLUGINS[variant](), logging: false, graphiql: false, landingPage: false });
const server = http.createServer(yoga);
const body = JSON.stringify({ query: WARD_QUERY, variables: WARD_VARIABLES, operationName: 'WardOverview' });
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function request(port) {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), traceparent: CALLER_TRACEPARENT } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => {
          const result = JSON.parse(text);
          if (result.errors || response.statusCode !== 200) reject(new Error(`${response.statusCode} ${text.slice(0, 300)}`));
          else resolve();
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

server.listen(0, '127.0.0.1', async () => {
  try {
    const { port } = server.address();
    let started = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (started++ < REQUESTS) await request(port);
      }),
    );
    const spans = sdk ? await sdk.spanCount() : 0;
    const inCallerTrace = sdk ? sdk.spansInCallerTrace() : 0;
    console.log(JSON.stringify({ ops: REQUESTS, spans, inCallerTrace }));
    agent.destroy();
    server.close();
    await provider?.shutdown();
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
});
