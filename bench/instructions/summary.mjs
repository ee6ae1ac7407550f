// `run.mjs --summary`: the tables BENCHMARKS.md leads with, from the files
// runs left (profiles/<node version>-<tag>/<hop>.json): per goal and Node,
// the deciding ratio and a verdict that takes the spreads into account; then
// the instruction counts behind those ratios.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { GOALS } from '../lib/goals.mjs';
import { markdownTable } from '../lib/markdown.mjs';

/** Instructions per CPU-nanosecond, measured on this machine for the gRPC workload (BENCHMARKS.md, "Which number decides"). */
const INSTRUCTIONS_PER_NS = 9.8;

const fmt = (value) => (value >= 1e6 ? `${(value / 1e6).toFixed(3)} M` : `${(value / 1e3).toFixed(1)} k`);

/**
 * `value` against `goal` (both ratios, higher is better), where `margin` is
 * how far the ratio can move within the two figures' spreads. A star marks a
 * verdict inside the spreads: the repeats moved more than the distance to
 * the goal, so it does not decide.
 */
function verdict(value, goal, margin) {
  if (value >= goal + margin) return '**met**';
  if (value < goal - margin) return '**missed**';
  return value >= goal ? 'met*' : 'missed*';
}

/** The same for a goal that is an upper bound (lower is better). */
const verdictAtMost = (value, limit, margin) => verdict(-value, -limit, margin);

/** `base ÷ ours` with its verdict against `goal`; undefined when either was not counted. */
function ratioCell(ours, base, goal, { diagnostic = false } = {}) {
  if (!ours || !base) return undefined;
  const ratio = base.mean / ours.mean;
  const said = verdict(ratio, goal, ratio * (ours.spread + base.spread));
  return `${ratio.toFixed(3)} ${diagnostic ? `(${said.replace(/\*\*/g, '')})` : said}`;
}

/** One row per goal: a label and how a Node's hop files decide it. */
const GOAL_ROWS = [
  [`gRPC propagation: own work above the constant-headers floor (≤ ${GOALS.grpcPropagation.ownWorkMicros} µs)`, (get) => {
    const ours = get('grpc', 'propagation');
    const floor = get('grpc', 'constant-headers');
    if (!ours || !floor) return undefined;
    const above = ours.mean - floor.mean;
    const budget = GOALS.grpcPropagation.ownWorkMicros * 1000 * INSTRUCTIONS_PER_NS;
    const margin = ours.mean * ours.spread + floor.mean * floor.spread;
    return `+${fmt(above)} ≈ ${(above / INSTRUCTIONS_PER_NS / 1000).toFixed(1)} µs ${verdictAtMost(above, budget, margin)}`;
  }],
  [`gRPC spans: instrumentation-grpc ÷ tracehop (≥ ${GOALS.grpcSpans.peerRatio})`, (get) => ratioCell(get('grpc', 'spans'), get('grpc', 'peer'), GOALS.grpcSpans.peerRatio)],
  [`GraphQL in process: minimal one-span plugin ÷ tracehop (≥ ${GOALS.graphql.floorRatio})`, (get) => ratioCell(get('graphql', 'trace'), get('graphql', 'minimal-span'), GOALS.graphql.floorRatio)],
  ['… a minimal plugin doing the same job ÷ tracehop (diagnostic)', (get) => ratioCell(get('graphql', 'trace'), get('graphql', 'minimal-continuing-phases'), GOALS.graphql.floorRatio, { diagnostic: true })],
  ['GraphQL in process: @envelop/opentelemetry ÷ tracehop (> 1)', (get) => ratioCell(get('graphql', 'trace'), get('graphql', 'envelop-otel'), GOALS.graphql.peerRatio)],
  ['… both with resolver spans (> 1)', (get) => ratioCell(get('graphql', 'trace-resolvers'), get('graphql', 'envelop-otel-resolvers'), GOALS.graphql.peerRatio)],
  [`GraphQL over HTTP: minimal one-span plugin ÷ tracehop (≥ ${GOALS.graphql.floorRatio})`, (get) => ratioCell(get('graphql-http', 'trace'), get('graphql-http', 'minimal-span'), GOALS.graphql.floorRatio)],
  ['GraphQL over HTTP: @envelop/opentelemetry ÷ tracehop (> 1)', (get) => ratioCell(get('graphql-http', 'trace'), get('graphql-http', 'envelop-otel'), GOALS.graphql.peerRatio)],
  ["… + instrumentation-http, which continues the caller's trace (> 1)", (get) => ratioCell(get('graphql-http', 'trace'), get('graphql-http', 'envelop-otel-http'), GOALS.graphql.peerRatio)],
  ...['otel', 'datadog', 'gcp'].map((format) => [`pino \`${format}\`: constant three-field mixin ÷ tracehop (≥ ${GOALS.pino.floorRatio})`, (get) => ratioCell(get('pino', format), get('pino', 'floor'), GOALS.pino.floorRatio)]),
  ...['otel', 'datadog', 'gcp'].map((format) => [`pino \`${format}\`: added cost ÷ instrumentation-pino's (≤ ${GOALS.pino.peerShare})`, (get) => {
    const [bare, ours, peer] = [get('pino', 'bare'), get('pino', format), get('pino', 'peer')];
    if (!bare || !ours || !peer) return undefined;
    const share = (ours.mean - bare.mean) / (peer.mean - bare.mean);
    const margin = (ours.mean * ours.spread + peer.mean * peer.spread + bare.mean * bare.spread) / (peer.mean - bare.mean);
    return `${share.toFixed(3)} ${verdictAtMost(share, GOALS.pino.peerShare, margin)}`;
  }]),
  [`end to end: the hop floors ÷ tracehop (≥ ${GOALS.e2e.floorRatio})`, (get) => ratioCell(get('e2e', 'on'), get('e2e', 'floors'), GOALS.e2e.floorRatio)],
  ["… with the floors' one span per request (gRPC `recordSpans: false`)", (get) => ratioCell(get('e2e', 'on-propagation'), get('e2e', 'floors'), GOALS.e2e.floorRatio)],
  ['exporting: static header ÷ ID-token headers (≥ 1: nothing per request)', (get) => ratioCell(get('export', 'export-idtoken'), get('export', 'export-static'), GOALS.export.staticRatio)],
];

/** The counts behind the ratios, each once: [label, hop, variant]. */
const COUNT_ROWS = [
  ['gRPC (per call): bare grpc-js', 'grpc', 'bare'],
  ['… constant-headers floor', 'grpc', 'constant-headers'],
  ['… tracehop propagation, no SDK', 'grpc', 'propagation'],
  ['… tracehop client + server spans', 'grpc', 'spans'],
  ['… instrumentation-grpc', 'grpc', 'peer'],
  ['GraphQL in process (per request): bare Yoga', 'graphql', 'bare'],
  ['… minimal one-span plugin', 'graphql', 'minimal-span'],
  ['… minimal plugin doing the same job', 'graphql', 'minimal-continuing-phases'],
  ['… tracehop', 'graphql', 'trace'],
  ['… @envelop/opentelemetry', 'graphql', 'envelop-otel'],
  ['… tracehop, resolver spans', 'graphql', 'trace-resolvers'],
  ['… @envelop/opentelemetry, resolvers', 'graphql', 'envelop-otel-resolvers'],
  ['GraphQL over HTTP (per request): bare', 'graphql-http', 'bare'],
  ['… minimal one-span plugin', 'graphql-http', 'minimal-span'],
  ['… tracehop', 'graphql-http', 'trace'],
  ['… @envelop/opentelemetry', 'graphql-http', 'envelop-otel'],
  ['… + instrumentation-http', 'graphql-http', 'envelop-otel-http'],
  ['pino (per line): bare', 'pino', 'bare'],
  ['… constant three-field mixin', 'pino', 'floor'],
  ['… tracehop `otel`', 'pino', 'otel'],
  ['… tracehop `datadog`', 'pino', 'datadog'],
  ['… tracehop `gcp`', 'pino', 'gcp'],
  ['… tracehop `otel` + tenant', 'pino', 'otel-tenant'],
  ['… instrumentation-pino', 'pino', 'peer'],
  ['end to end (per request): no OpenTelemetry', 'e2e', 'off'],
  ['… every hop at its floor', 'e2e', 'floors'],
  ['… tracehop', 'e2e', 'on'],
  ['… tracehop, 1 span per request', 'e2e', 'on-propagation'],
  ['… the three peers', 'e2e', 'peers'],
  ['export (per request): static header', 'export', 'export-static'],
  ['… ID-token headers', 'export', 'export-idtoken'],
];

/** Every Node whose files carry `tag`, oldest first: [[`Node 20.20.2`, get(hop, variant)], …]. */
function nodesTagged(profilesDir, tag) {
  if (!existsSync(profilesDir)) return [];
  return readdirSync(profilesDir)
    .filter((name) => name.endsWith(`-${tag}`))
    .sort((a, b) => Number(/^v(\d+)/.exec(a)?.[1]) - Number(/^v(\d+)/.exec(b)?.[1]))
    .map((dir) => {
      const hops = {};
      for (const file of readdirSync(`${profilesDir}${dir}`).filter((name) => name.endsWith('.json') && !/-\d+-\d+\.json$/.test(name))) {
        hops[file.replace(/\.json$/, '')] = JSON.parse(readFileSync(`${profilesDir}${dir}/${file}`, 'utf8'));
      }
      return [dir.replace(`-${tag}`, '').replace(/^v/, 'Node '), (hop, variant) => hops[hop]?.[variant]];
    });
}

/** Rows with at least one counted cell; '—' where a Node lacks the figure. */
function table(header, rowSpecs, nodes, cellOf) {
  const rows = rowSpecs
    .map((spec) => [spec[0], ...nodes.map(([, get]) => cellOf(spec, get) ?? '—')])
    .filter((row) => row.slice(1).some((cell) => cell !== '—'));
  return markdownTable([header, ...nodes.map(([node]) => node)], rows);
}

/** Both tables over every Node whose files carry `tag`. */
export function summary(profilesDir, tag = 'final') {
  const nodes = nodesTagged(profilesDir, tag);
  if (nodes.length === 0) return `No files tagged "${tag}" in ${profilesDir}: run bench/instructions/run.mjs with BENCH_TAG=${tag} first.`;
  const pct = (result) => `${fmt(result.mean)} ±${(result.spread * 100).toFixed(1)} %`;
  return [
    table('goal (ratio above 1: tracehop is cheaper)', GOAL_ROWS, nodes, ([, decide], get) => decide(get)),
    '',
    '\\* inside the spreads: the ratio is within what the repeats moved, so it does not decide.',
    '',
    table('instructions per operation (± spread)', COUNT_ROWS, nodes, ([, hop, variant], get) => (get(hop, variant) ? pct(get(hop, variant)) : undefined)),
  ].join('\n');
}
