// gRPC over loopback: client and server in separate processes (one core
// each), a fixed number of calls in flight, fixed seconds per round.
// Unary and server-streaming (100 messages per call).
import { benchList, benchNumber, keepVariants } from '../lib/env.mjs';
import { GOALS } from '../lib/goals.mjs';
import { benchConfig } from './harness/config.mjs';
import { isMain, runStandalone } from './harness/main.mjs';
import { combineSamples, interleave, sumSnapshots } from './harness/measure.mjs';
import { startWorker } from './harness/processes.mjs';
import { formatPercent, goal, throughputTable } from './harness/report.mjs';

const PRODUCT_VARIANTS = ['bare', 'propagation', 'spans', 'peer'];
/** Diagnostic, unary only: bare grpc-js with the AsyncLocalStorage context manager enabled and nothing else. */
const CONTEXT_ONLY = 'context-only';
/** Diagnostic, unary only: the context manager plus pass-through interceptors (grpc-js's own interceptor cost). */
const EMPTY_INTERCEPTORS = 'empty-interceptors';
/** Diagnostic, unary only: pass-through interceptors, and one fixed context made active around the server handler. */
const ACTIVE_HANDLER = 'active-handler';
/** Diagnostic, unary only: active-handler, plus a fixed traceparent and baggage written into a copy of the metadata. */
const CONSTANT_HEADERS = 'constant-headers';
/** Control, unary only: bare grpc-js again, in a second pair of processes (A/A). */
const BARE_AGAIN = 'bare-again';
const LABELS = {
  bare: 'bare grpc-js',
  [BARE_AGAIN]: 'control: bare grpc-js again, other processes (A/A)',
  [CONTEXT_ONLY]: 'diagnostic: bare + context manager only',
  [EMPTY_INTERCEPTORS]: 'diagnostic: + pass-through interceptors',
  [ACTIVE_HANDLER]: 'diagnostic: + a context active in the handler',
  [CONSTANT_HEADERS]: 'diagnostic: + the same two headers, as constants',
  propagation: 'tracehop, propagation only (no SDK)',
  spans: 'tracehop, client+server spans',
  peer: 'instrumentation-grpc (same SDK)',
};
const DIAGNOSTIC_NOTE =
  'The control row runs exactly what bare runs, in its own processes: its distance from 1.000 is how far two identical processes drift apart on this machine, the resolution of every other comparison in the table. Diagnostic rows are not products. "context manager only" enables the AsyncLocalStorage context manager (what the propagation-only variant needs for context to be active in handlers) and nothing else; "+ pass-through interceptors" adds a client and a server interceptor that do nothing, so grpc-js\'s interceptor machinery can be told from tracehop\'s work; "+ a context active in the handler" makes one fixed context active while the server handler runs (what any tracer must do, and Node 20\'s AsyncLocalStorage then propagates into every async resource grpc-js and http2 create for the reply), with no extraction, span or tracehop code; "+ the same two headers, as constants" also has the client write a fixed traceparent and baggage into a copy of the metadata, what carrying the headers through grpc-js and http2 costs before any code decides what they say.';
const CASES = [
  {
    kind: 'unary',
    title: 'gRPC unary over loopback',
    variants: ['bare', BARE_AGAIN, CONTEXT_ONLY, EMPTY_INTERCEPTORS, ACTIVE_HANDLER, CONSTANT_HEADERS, ...PRODUCT_VARIANTS.slice(1)],
    concurrency: Math.round(benchNumber('GRPC_CONCURRENCY', 32)),
    unit: 'calls/s',
  },
  {
    kind: 'stream',
    title: 'gRPC server streaming (100 messages per call)',
    variants: PRODUCT_VARIANTS,
    concurrency: Math.round(benchNumber('GRPC_STREAM_CONCURRENCY', 8)),
    unit: 'calls/s',
  },
];
/** Every variant of the scenario (for BENCH_VARIANTS). */
export const VARIANTS = CASES[0].variants;

/**
 * Starts config.processes server + client pairs per variant (BENCH_PROCESSES,
 * unary only); only one pair is busy at a time.
 */
async function startPairs({ kind, variants }, config) {
  const count = kind === 'unary' ? config.processes : 1;
  const pairs = new Map();
  for (const variant of variants) {
    const prof = { cpuProf: config.cpuProf };
    const list = [];
    for (let i = 0; i < count; i++) {
      const suffix = count > 1 ? `-${i + 1}` : '';
      const server = await startWorker('grpc-worker.cjs', ['server', variant], { ...prof, label: `grpc-${kind}-server-${variant}${suffix}` });
      const client = await startWorker('grpc-worker.cjs', ['client', variant, server.info.address, kind], {
        ...prof,
        label: `grpc-${kind}-client-${variant}${suffix}`,
      });
      list.push({ server, client });
    }
    pairs.set(variant, list);
  }
  return pairs;
}

/** Experiments: BENCH_VARIANTS narrows both cases (goals missing a variant read n/a); `BENCH_GRPC_KINDS=unary` skips streaming. */
async function measureCase(testCase, config) {
  const pairs = await startPairs(testCase, config);
  /** One variant for `seconds`, split over its pairs of processes. */
  async function runPairs(variant, seconds) {
    const list = pairs.get(variant);
    const samples = [];
    for (const { client } of list) samples.push(await client.request('run', { seconds: seconds / list.length, concurrency: testCase.concurrency }));
    return combineSamples(samples, `${testCase.kind}/${variant}`);
  }
  const results = await interleave({
    title: testCase.title,
    variants: testCase.variants,
    rounds: config.rounds,
    runOnce: (variant) => runPairs(variant, config.seconds),
    prime: config.primeSeconds > 0 ? (variant) => runPairs(variant, config.primeSeconds) : undefined,
    // Heap, CPU and spans of both processes: the cost of a hop lands on both sides.
    async snapshot(variant) {
      const sides = [];
      for (const { server, client } of pairs.get(variant)) sides.push([await server.request('snapshot'), await client.request('snapshot')]);
      const s = sumSnapshots(sides.map(([server]) => server));
      const c = sumSnapshots(sides.map(([, client]) => client));
      return {
        heapBytes: s.heapBytes + c.heapBytes,
        cpuMicros: s.cpuMicros + c.cpuMicros,
        serverCpuMicros: s.cpuMicros,
        clientCpuMicros: c.cpuMicros,
        spans: s.spans + c.spans,
        calls: s.calls,
        continued: s.continued,
      };
    },
  });
  await Promise.all([...pairs.values()].flat().flatMap(({ server, client }) => [server.stop(), client.stop()]));
  return results;
}

/** `to` relative to `from`, as "throughput ratio (CPU ratio)"; n/a when a variant was left out. */
function step(rate, cpu, from, to) {
  if (!(from in rate) || !(to in rate)) return 'n/a';
  return `${(rate[to] / rate[from]).toFixed(3)} (CPU ${(cpu[from] / cpu[to]).toFixed(3)})`;
}

function check({ delta, ops }) {
  const side = (micros) => (micros / ops).toFixed(1);
  return `trace kept ${formatPercent(delta.continued / delta.calls)}, ${(delta.spans / ops).toFixed(2)} spans/call, CPU µs client ${side(delta.clientCpuMicros)} + server ${side(delta.serverCpuMicros)}`;
}

export async function run(config = benchConfig()) {
  const sections = [];
  const kinds = benchList('GRPC_KINDS') ?? CASES.map(({ kind }) => kind);
  const unknownKinds = kinds.filter((kind) => !CASES.some((testCase) => testCase.kind === kind));
  if (unknownKinds.length > 0) throw new Error(`BENCH_GRPC_KINDS: unknown ${unknownKinds.join(', ')}; known: unary, stream`);
  for (const chosen of CASES.filter(({ kind }) => kinds.includes(kind))) {
    const testCase = { ...chosen, variants: keepVariants(chosen.variants, 'bare') };
    const results = await measureCase(testCase, config);
    const rate = Object.fromEntries(results.map((result) => [result.variant, result.rate]));
    const cpu = Object.fromEntries(results.map((result) => [result.variant, result.cpuPerOp]));
    const goals =
      testCase.kind === 'unary'
        ? [
            goal("gRPC unary, propagation only: the constant-headers floor's CPU per call ÷ tracehop's", cpu[CONSTANT_HEADERS] / cpu.propagation, '>=', GOALS.grpcPropagation.loopbackRatio, `A/A control ${step(rate, cpu, 'bare', BARE_AGAIN)}; each step on top of the one before (throughput, CPU): context manager ${step(rate, cpu, 'bare', CONTEXT_ONLY)}; pass-through interceptors ${step(rate, cpu, CONTEXT_ONLY, EMPTY_INTERCEPTORS)}; a context active in the handler ${step(rate, cpu, EMPTY_INTERCEPTORS, ACTIVE_HANDLER)}; the two headers as constants ${step(rate, cpu, ACTIVE_HANDLER, CONSTANT_HEADERS)}; tracehop's own work (extract, inject, trust policy) ${step(rate, cpu, CONSTANT_HEADERS, 'propagation')}`),
            goal("gRPC unary, client + server spans: instrumentation-grpc's CPU per call ÷ tracehop's", cpu.peer / cpu.spans, '>=', GOALS.grpcSpans.peerRatio, `throughput ratio ${(rate.spans / rate.peer).toFixed(3)}; A/A control ${step(rate, cpu, 'bare', BARE_AGAIN)}`),
          ]
        : [];
    sections.push({
      title: `${testCase.title} — ${testCase.concurrency} calls in flight, ${config.seconds}s × ${config.rounds} rounds`,
      tables: [throughputTable(results, { bare: 'bare', unit: testCase.unit, peerOf: { spans: 'peer' }, labels: LABELS, check })],
      notes: [
        ...(testCase.kind === 'unary' ? [DIAGNOSTIC_NOTE] : []),
        'Spans/call counts client+server spans exported per completed call (2.00 = one CLIENT + one SERVER). "trace kept" = server handler saw the caller\'s trace ID as active context.',
      ],
      goals,
    });
  }
  return sections;
}

if (isMain(import.meta.url)) await runStandalone(run, VARIANTS);
