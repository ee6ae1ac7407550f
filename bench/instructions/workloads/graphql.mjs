// One GraphQL variant under instruction counting: `node graphql.mjs <variant> <requests>`.
// Every request goes through `yoga.fetch` (no sockets), 16 in flight, the
// same WardOverview query as the HTTP benchmark. Prints one JSON line with
// what the run did (requests, spans exported) so the runner can check that a
// variant really recorded what it claims to.
import { useOpenTelemetry } from '@envelop/opentelemetry';
import { useTraceContext } from '@tracehop/envelop';
import { createYoga } from 'graphql-yoga';
import callerLib from '../../lib/caller.cjs';
import { minimalContinuingSpanPlugin, minimalSpanPlugin } from '../../lib/minimal-span-plugin.mjs';
import { patientsSchema, WARD_QUERY, WARD_VARIABLES } from '../../lib/patients-schema.mjs';
import sdkLib from '../../lib/sdk.cjs';
import { exportingSdk } from './export-sdk.mjs';

const { CALLER_TRACEPARENT } = callerLib;
const [variant, requestsArg] = process.argv.slice(2);
const REQUESTS = Number(requestsArg);
const CONCURRENCY = 16;

/** What each variant registers; `sdk: false` is Yoga with no OpenTelemetry at all. */
const VARIANTS = {
  bare: { sdk: false, plugins: () => [] },
  'sdk-only': { plugins: () => [] },
  'minimal-span': { plugins: (provider) => [minimalSpanPlugin(provider.getTracer('bench-minimal-span'))] },
  'minimal-continuing-span': { plugins: (provider) => [minimalContinuingSpanPlugin(provider.getTracer('bench-minimal-span'))] },
  'minimal-continuing-phases': { plugins: (provider) => [minimalContinuingSpanPlugin(provider.getTracer('bench-minimal-span'), { everyPhase: true })] },
  'envelop-otel': { plugins: (provider) => [useOpenTelemetry({ resolvers: false }, provider)] },
  'envelop-otel-resolvers': { plugins: (provider) => [useOpenTelemetry({ resolvers: true }, provider)] },
  trace: { plugins: (provider) => [useTraceContext({ tracerProvider: provider })] },
  'trace-resolvers': { plugins: (provider) => [useTraceContext({ tracerProvider: provider, resolverSpans: true })] },
  'trace-no-span': { plugins: (provider) => [useTraceContext({ tracerProvider: provider, recordSpans: false })] },
  // Issue 24.6's options, each on its own (WardOverview is not left out: the decision is what is counted).
  'trace-http-attributes': { plugins: (provider) => [useTraceContext({ tracerProvider: provider, httpAttributes: true })] },
  'trace-ignore-operations': { plugins: (provider) => [useTraceContext({ tracerProvider: provider, ignoreOperations: { introspection: true, names: ['ReadinessProbe'] } })] },
  'trace-phase-spans': { plugins: (provider) => [useTraceContext({ tracerProvider: provider, phaseSpans: true })] },
  // The goal "exporting with an ID token: nothing on the request path". The same
  // plugin, exporting over OTLP/HTTP to a loopback collector, with static
  // headers or with @tracehop/gcp's googleIdTokenHeaders (loopback metadata server).
  'export-static': { sdk: 'otlp-static', plugins: (provider) => [useTraceContext({ tracerProvider: provider })] },
  'export-idtoken': { sdk: 'otlp-idtoken', plugins: (provider) => [useTraceContext({ tracerProvider: provider })] },
};
const chosen = VARIANTS[variant];
if (!chosen || !(REQUESTS > 0)) throw new Error(`usage: graphql.mjs <${Object.keys(VARIANTS).join('|')}> <requests>`);

const sdk = chosen.sdk === false ? undefined : chosen.sdk ? await exportingSdk(chosen.sdk) : sdkLib.startSdk();
const yoga = createYoga({ schema: patientsSchema(), plugins: chosen.plugins(sdk?.provider), logging: false, graphiql: false, landingPage: false });
const body = JSON.stringify({ query: WARD_QUERY, variables: WARD_VARIABLES, operationName: 'WardOverview' });

async function request() {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: CALLER_TRACEPARENT },
    body,
  });
  const result = await response.json();
  if (result.errors) throw new Error(JSON.stringify(result.errors));
}

let started = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (started++ < REQUESTS) await request();
  }),
);
const spans = sdk ? await sdk.spanCount() : 0;
const inCallerTrace = sdk?.spansInCallerTrace?.() ?? 0;
console.log(JSON.stringify({ ops: REQUESTS, spans, inCallerTrace, ...(sdk?.extra ? await sdk.extra() : {}) }));
await sdk?.provider.shutdown();
