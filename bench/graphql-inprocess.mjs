// GraphQL plugins' own cost without HTTP: every variant is a Yoga instance in
// this one process, called through `yoga.fetch` (no sockets), 16 requests in
// flight, CPU time per request. Far less noisy than the HTTP benchmark, so it
// is the tool for A/B-ing a plugin's internals; it leaves out the per-request
// HTTP work (sockets, node:http, whatwg-node's adapter) that the HTTP
// benchmark includes. Every variant runs with the SDK registered.
//
//   node bench/graphql-inprocess.mjs            all variants
//   ONLY=sdk-only,trace node bench/graphql-inprocess.mjs
import { useOpenTelemetry } from '@envelop/opentelemetry';
import { useTraceContext } from '@tracehop/envelop';
import { createYoga } from 'graphql-yoga';
import { assertBuilt } from './lib/dist.mjs';
import { CALLER_TRACEPARENT } from './lib/http-load-client.mjs';
import { minimalSpanPlugin } from './lib/minimal-span-plugin.mjs';
import { patientsSchema, WARD_QUERY, WARD_VARIABLES } from './lib/patients-schema.mjs';
import sdkLib from './lib/sdk.cjs';

assertBuilt();
const sdk = sdkLib.startSdk();
const tracerProvider = sdk.provider;

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const REQUESTS = Number(process.env.REQUESTS ?? 6000);
const CONCURRENCY = 16;

const VARIANTS = {
  'sdk-only': () => [],
  'minimal-span': () => [minimalSpanPlugin(tracerProvider.getTracer('bench-minimal-span'))],
  'trace-no-span': () => [useTraceContext({ tracerProvider, recordSpans: false })],
  trace: () => [useTraceContext({ tracerProvider })],
  'envelop-otel': () => [useOpenTelemetry({ resolvers: false }, tracerProvider)],
};

const only = process.env.ONLY?.split(',');
const selected = Object.keys(VARIANTS).filter((name) => !only || only.includes(name));
const yogas = new Map(
  selected.map((name) => [
    name,
    createYoga({ schema: patientsSchema(), plugins: VARIANTS[name](), logging: false, graphiql: false, landingPage: false }),
  ]),
);
const body = JSON.stringify({ query: WARD_QUERY, variables: WARD_VARIABLES, operationName: 'WardOverview' });

async function request(yoga) {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: CALLER_TRACEPARENT },
    body,
  });
  const result = await response.json();
  if (result.errors) throw new Error(JSON.stringify(result.errors));
}

async function cpuPerRequest(yoga, requests) {
  let started = 0;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (started++ < requests) await request(yoga);
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / requests;
}

for (const yoga of yogas.values()) await cpuPerRequest(yoga, REQUESTS / 2); // warm-up
const samples = new Map(selected.map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Rotated order per round, as in the HTTP benchmarks.
  for (const name of [...selected.slice(round % selected.length), ...selected.slice(0, round % selected.length)]) {
    samples.get(name).push(await cpuPerRequest(yogas.get(name), REQUESTS));
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const base = median(samples.get(selected[0]));
console.log(`| variant | CPU µs/request (median of ${ROUNDS}) | added vs ${selected[0]} | rounds |`);
console.log('|---|---|---|---|');
for (const [name, values] of samples) {
  const m = median(values);
  console.log(`| ${name} | ${m.toFixed(1)} | ${name === selected[0] ? '—' : `${m - base >= 0 ? '+' : ''}${(m - base).toFixed(1)}`} | ${values.map((v) => v.toFixed(0)).join(' ')} |`);
}
await sdk.provider.shutdown();
