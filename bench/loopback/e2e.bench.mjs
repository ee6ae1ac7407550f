// End to end: HTTP → Yoga BFF → gRPC Node backend, three processes (load,
// BFF, backend) on two cores, everything off against everything on.
import callerLib from '../lib/caller.cjs';
import { PATIENT_QUERY, PATIENT_VARIABLES } from '../lib/e2e-schema.mjs';
import { keepVariants } from '../lib/env.mjs';
import { benchConfig } from './harness/config.mjs';
import { HTTP_CONCURRENCY, postLoad } from './harness/http-load-client.mjs';
import { isMain, runStandalone } from './harness/main.mjs';
import { combineSamples, interleave } from './harness/measure.mjs';
import { startWorker } from './harness/processes.mjs';
import { formatPercent, info, throughputTable } from './harness/report.mjs';

const { CALLER_TRACE_ID } = callerLib;
/** Every variant of the scenario; BENCH_VARIANTS narrows them. */
export const VARIANTS = ['off', 'sdk-only', 'on'];
const LABELS = {
  off: 'everything off',
  'sdk-only': 'diagnostic: SDK registered in both, nothing else',
  on: 'everything on (useTraceContext, grpc client+server spans, traceMixin in both)',
};

async function startStacks(variants, config) {
  const stacks = new Map();
  for (const variant of variants) {
    const prof = { cpuProf: config.cpuProf };
    const backend = await startWorker('e2e-backend.mjs', [variant, CALLER_TRACE_ID], { ...prof, label: `e2e-backend-${variant}` });
    const bff = await startWorker('e2e-bff.mjs', [variant, backend.info.address], { ...prof, label: `e2e-bff-${variant}` });
    stacks.set(variant, { backend, bff });
  }
  return stacks;
}

export async function run(config = benchConfig()) {
  const variants = keepVariants(VARIANTS, 'off');
  const load = await startWorker('http-load.mjs', [], { label: 'e2e-load' });
  const stacks = await startStacks(variants, config);
  const body = JSON.stringify({ query: PATIENT_QUERY, variables: PATIENT_VARIABLES, operationName: 'PatientChart' });
  async function runStack(variant, seconds) {
    const { port } = stacks.get(variant).bff.info;
    return combineSamples([await postLoad(load, { port, body, seconds })], `e2e/${variant}`);
  }

  const results = await interleave({
    title: 'end to end',
    variants,
    rounds: config.rounds,
    runOnce: (variant) => runStack(variant, config.seconds),
    prime: config.primeSeconds > 0 ? (variant) => runStack(variant, config.primeSeconds) : undefined,
    async snapshot(variant) {
      const { backend, bff } = stacks.get(variant);
      const [b, f] = [await backend.request('snapshot'), await bff.request('snapshot')];
      return { heapBytes: b.heapBytes + f.heapBytes, cpuMicros: b.cpuMicros + f.cpuMicros, spans: b.spans + f.spans, calls: b.calls, continued: b.continued };
    },
  });
  await Promise.all([load.stop(), ...[...stacks.values()].flatMap(({ backend, bff }) => [backend.stop(), bff.stop()])]);

  const rate = Object.fromEntries(results.map((result) => [result.variant, result.rate]));
  const cpu = Object.fromEntries(results.map((result) => [result.variant, result.cpuPerOp]));
  return [
    {
      title: `End to end: HTTP → Yoga BFF → gRPC backend (2 backend calls, 4 log lines per request) — ${HTTP_CONCURRENCY} requests in flight, ${config.seconds}s × ${config.rounds} rounds`,
      tables: [
        throughputTable(results, {
          bare: 'off',
          unit: 'requests/s',
          labels: LABELS,
          check: ({ delta, ops }) => `backend saw the caller's trace ${formatPercent(delta.continued / delta.calls)}, ${(delta.spans / ops).toFixed(2)} spans/request`,
        }),
      ],
      notes: [
        'The diagnostic row is not a product: the same SDK registered in BFF and backend (AsyncLocalStorage context manager, BatchSpanProcessor), no plugin, interceptor or mixin.',
        'Per request, "on" records 5 spans (operation, 2 gRPC CLIENT, 2 gRPC SERVER) and writes 4 log lines with trace fields. useTraceContext runs with its defaults (operation span, no resolver spans). Heap is BFF + backend.',
      ],
      // The goal (≥ 0.97 of the sum of the hop floors) needs a floors variant, which only the instruction counter has.
      goals: [
        info("End to end, everything off's CPU per request ÷ everything on's (no goal here: the instruction counter's e2e hop decides)", cpu.off / cpu.on, `throughput ratio ${(rate.on / rate.off).toFixed(3)}; SDK registered alone: CPU ${(cpu.off / cpu['sdk-only']).toFixed(3)}; tracehop on top of it: CPU ${(cpu['sdk-only'] / cpu.on).toFixed(3)}`),
      ],
    },
  ];
}

if (isMain(import.meta.url)) await runStandalone(run, VARIANTS);
