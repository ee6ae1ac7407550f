// pino lines to /dev/null, inside an active SDK span, in one process per
// variant (instrumentation-pino patches pino at require time). The goal
// compares what each variant ADDS to a bare line.
import { keepVariants } from '../lib/env.mjs';
import { GOALS } from '../lib/goals.mjs';
import { markdownTable } from '../lib/markdown.mjs';
import { benchConfig } from './harness/config.mjs';
import { isMain, runStandalone } from './harness/main.mjs';
import { interleave } from './harness/measure.mjs';
import { startWorker } from './harness/processes.mjs';
import { formatKb, formatPercent, formatRatio, goal } from './harness/report.mjs';

/** Every variant of the scenario; BENCH_VARIANTS narrows them (goals missing a variant read n/a). */
export const VARIANTS = ['bare', 'inline', 'floor', 'otel', 'gcp', 'datadog', 'otel-tenant', 'peer', 'peer-defaults'];
const LABELS = {
  bare: 'bare pino',
  inline: 'diagnostic: 3 constant fields passed at the call site',
  floor: 'diagnostic: mixin returning 3 constant fields',
  otel: "tracehop traceMixin({ format: 'otel' })",
  gcp: "tracehop traceMixin({ format: 'gcp' })",
  datadog: "tracehop traceMixin({ format: 'datadog' })",
  'otel-tenant': "tracehop traceMixin({ baggageKeys: ['tenant.id'] }), tenant in baggage",
  peer: 'instrumentation-pino (disableLogSending: true)',
  'peer-defaults': 'instrumentation-pino (defaults)',
};
const TRACEHOP = ['otel', 'gcp', 'datadog', 'otel-tenant'];
const FORMATS = ['otel', 'gcp', 'datadog'];

function table(results, fields) {
  const byVariant = new Map(results.map((result) => [result.variant, result]));
  const nsPerLine = (variant) => (byVariant.has(variant) ? 1e9 / byVariant.get(variant).rate : NaN);
  const bareNs = nsPerLine('bare');
  const peerAdded = nsPerLine('peer') - bareNs;
  const rows = results.map(({ variant, rate, heapPer100k, spread }) => {
    const added = nsPerLine(variant) - bareNs;
    return [
      LABELS[variant],
      Math.round(nsPerLine(variant)),
      variant === 'bare' ? '—' : `${added >= 0 ? '+' : '−'}${Math.abs(Math.round(added))}`,
      formatRatio(rate / byVariant.get('bare').rate),
      TRACEHOP.includes(variant) || variant === 'floor' || variant === 'inline' ? formatRatio(added / peerAdded) : '—',
      formatKb(heapPer100k),
      formatPercent(spread),
      fields.get(variant),
    ];
  });
  return markdownTable(
    ['variant', 'median ns/line', 'added ns vs bare', 'ratio to bare (lines/s)', 'added cost / peer added cost', 'heap Δ KB/100k ops', 'spread', 'trace fields on a line'],
    rows,
  );
}

export async function run(config = benchConfig()) {
  const variants = keepVariants(VARIANTS, 'bare');
  const workers = new Map();
  for (const variant of variants) {
    workers.set(variant, await startWorker('pino-worker.cjs', [variant], { label: `pino-${variant}`, cpuProf: config.cpuProf }));
  }
  const results = await interleave({
    title: 'pino',
    variants,
    rounds: config.rounds,
    runOnce: (variant) => workers.get(variant).request('run', { seconds: config.seconds / 2 }),
    prime: config.primeSeconds > 0 ? (variant) => workers.get(variant).request('run', { seconds: config.primeSeconds / 2 }) : undefined,
    snapshot: (variant) => workers.get(variant).request('snapshot'),
  });
  const fields = new Map([...workers].map(([variant, worker]) => [variant, worker.info.fields]));
  await Promise.all([...workers.values()].map((worker) => worker.stop()));

  const ns = Object.fromEntries(results.map((result) => [result.variant, 1e9 / result.rate]));
  const peerAdded = ns.peer - ns.bare;
  return [
    {
      title: `pino to /dev/null (sync), inside an active span — ${config.seconds / 2}s × ${config.rounds} rounds`,
      tables: [table(results, fields)],
      notes: [
        "instrumentation-pino is registered the documented CommonJS way, before pino is required. Its correlation-only configuration is the peer: tracehop writes trace fields and nothing else. Each variant runs in its own process; 'bare' is the baseline of every added cost. The two diagnostic rows are not products: 'inline' is what serializing three more fields costs (no correlation can write them for less); 'floor' is the least any pino mixin writing three fields costs (fresh object, pino's merge, serialization).",
      ],
      goals: FORMATS.flatMap((format) => [
        goal(`pino \`${format}\`: the constant three-field mixin's ns per line ÷ traceMixin's`, ns.floor / ns[format], '>=', GOALS.pino.floorRatio),
        goal(`pino \`${format}\`: added cost ÷ instrumentation-pino's added cost`, (ns[format] - ns.bare) / peerAdded, '<=', GOALS.pino.peerShare, `+${Math.round(ns[format] - ns.bare)} ns vs +${Math.round(peerAdded)} ns per line; a constant-field mixin alone adds +${Math.round(ns.floor - ns.bare)} ns (${((ns.floor - ns.bare) / peerAdded).toFixed(3)} of the peer's)`),
      ]),
    },
  ];
}

if (isMain(import.meta.url)) await runStandalone(run, VARIANTS);
