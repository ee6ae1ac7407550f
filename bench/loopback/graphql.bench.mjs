// GraphQL Yoga over real HTTP on loopback: the server (one process per
// variant) on one core, a separate keep-alive load generator on the other.
// The query is bench/lib/patients-schema.mjs's WardOverview (11 explicit resolvers).
import { keepVariants } from '../lib/env.mjs';
import { GOALS } from '../lib/goals.mjs';
import { WARD_QUERY, WARD_VARIABLES } from '../lib/patients-schema.mjs';
import { benchConfig } from './harness/config.mjs';
import { HTTP_CONCURRENCY, postLoad } from './harness/http-load-client.mjs';
import { isMain, runStandalone } from './harness/main.mjs';
import { combineSamples, interleave, sumSnapshots } from './harness/measure.mjs';
import { startWorker } from './harness/processes.mjs';
import { goal, throughputTable } from './harness/report.mjs';

/** Every variant of the scenario; BENCH_VARIANTS narrows them (goals missing a variant read n/a). */
export const VARIANTS = ['bare', 'bare-again', 'sdk-only', 'minimal-span', 'trace', 'envelop-otel', 'trace-resolvers', 'envelop-otel-resolvers'];
const LABELS = {
  bare: 'bare Yoga',
  'bare-again': 'control: bare Yoga again, another process (A/A)',
  'sdk-only': 'diagnostic: bare Yoga + SDK registered, no plugin',
  'minimal-span': 'diagnostic: + a minimal operation-span plugin',
  trace: 'tracehop useTraceContext (operation span)',
  'envelop-otel': '@envelop/opentelemetry (resolvers: false)',
  'trace-resolvers': 'tracehop useTraceContext (+ resolver spans)',
  'envelop-otel-resolvers': '@envelop/opentelemetry (resolvers: true)',
};
const PEER_OF = { trace: 'envelop-otel', 'trace-resolvers': 'envelop-otel-resolvers' };

export async function run(config = benchConfig()) {
  const variants = keepVariants(VARIANTS, 'bare');
  const load = await startWorker('http-load.mjs', [], { label: 'graphql-load' });
  // Each variant runs in config.processes server processes (BENCH_PROCESSES); a round splits its time over them.
  const servers = new Map();
  for (const variant of variants) {
    const processes = [];
    for (let i = 0; i < config.processes; i++) {
      const label = `graphql-server-${variant}${config.processes > 1 ? `-${i + 1}` : ''}`;
      processes.push(await startWorker('graphql-server.mjs', [variant], { label, cpuProf: config.cpuProf }));
    }
    servers.set(variant, processes);
  }
  const body = JSON.stringify({ query: WARD_QUERY, variables: WARD_VARIABLES, operationName: 'WardOverview' });
  /** One variant for `seconds`, split over its server processes. */
  async function runServers(variant, seconds) {
    const list = servers.get(variant);
    const samples = [];
    for (const { info } of list) samples.push(await postLoad(load, { port: info.port, body, seconds: seconds / list.length }));
    return combineSamples(samples, `graphql/${variant}`);
  }

  const results = await interleave({
    title: 'GraphQL',
    variants,
    rounds: config.rounds,
    runOnce: (variant) => runServers(variant, config.seconds),
    prime: config.primeSeconds > 0 ? (variant) => runServers(variant, config.primeSeconds) : undefined,
    snapshot: async (variant) => sumSnapshots(await Promise.all(servers.get(variant).map((server) => server.request('snapshot')))),
  });
  await Promise.all([load.stop(), ...[...servers.values()].flat().map((server) => server.stop())]);

  const rate = Object.fromEntries(results.map((result) => [result.variant, result.rate]));
  const cpu = Object.fromEntries(results.map((result) => [result.variant, result.cpuPerOp]));
  /** `to` on top of `from`: throughput ratio (CPU ratio), n/a when a variant was left out. */
  const against = (from, to) => (from in rate && to in rate ? `${(rate[to] / rate[from]).toFixed(3)} (CPU ${(cpu[from] / cpu[to]).toFixed(3)})` : 'n/a');
  const aa = against('bare', 'bare-again');
  return [
    {
      title: `GraphQL Yoga over HTTP (query WardOverview, 11 resolvers) — ${HTTP_CONCURRENCY} requests in flight, ${config.seconds}s × ${config.rounds} rounds`,
      tables: [
        throughputTable(results, {
          bare: 'bare',
          unit: 'requests/s',
          peerOf: PEER_OF,
          labels: LABELS,
          check: ({ delta, ops }) => `${(delta.spans / ops).toFixed(2)} spans/request`,
        }),
      ],
      notes: [
        'The control row runs exactly what bare runs, in its own process: its distance from 1.000 is how far two identical processes drift apart on this machine, the resolution of every other comparison in the table. The diagnostic rows are not products. "SDK registered, no plugin": the same SDK (NodeTracerProvider.register(): AsyncLocalStorage context manager, BatchSpanProcessor) with no plugin, so the plugins\' own cost can be told from the context manager\'s. "+ a minimal operation-span plugin": one span started around execute and active inside it, through envelop\'s instrumentation API, and nothing else (no headers read, no trust policy, no name, no errors recorded): the floor under any plugin with an operation span.',
        'Load: a separate Node process, node:http keep-alive Agent, POST application/json with a traceparent header. Heap is the server process\'s.',
      ],
      goals: [
        goal("GraphQL operation span: the minimal one-span plugin's CPU per request ÷ useTraceContext's", cpu['minimal-span'] / cpu.trace, '>=', GOALS.graphql.floorRatio, `A/A control ${aa}; SDK registered alone ${against('bare', 'sdk-only')}; the minimal plugin on top of it ${against('sdk-only', 'minimal-span')}`),
        goal("GraphQL operation span: @envelop/opentelemetry's CPU per request ÷ useTraceContext's", cpu['envelop-otel'] / cpu.trace, '>=', GOALS.graphql.peerRatio, `throughput ratio ${(rate.trace / rate['envelop-otel']).toFixed(3)}; A/A control ${aa}`),
      ],
    },
  ];
}

if (isMain(import.meta.url)) await runStandalone(run, VARIANTS);
