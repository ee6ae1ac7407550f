// `node bench/instructions.mjs --summary`: the one table BENCHMARKS.md leads
// with, from the files runs left (profiles/instructions/<node version>[-tag]/<hop>.json):
// per hop and Node, tracehop / floor / peer in instructions per operation, the
// DESIGN goal and a verdict that takes the spreads into account.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { markdownTable } from '../lib/report.mjs';

/** Instructions per CPU-nanosecond, measured on this machine for the gRPC workload (BENCHMARKS.md). */
const INSTRUCTIONS_PER_NS = 9.8;

const fmt = (value) => (value >= 1e6 ? `${(value / 1e6).toFixed(3)} M` : `${(value / 1e3).toFixed(1)} k`);
const pct = (spread) => `±${(spread * 100).toFixed(1)} %`;
const cell = (result) => (result ? `${fmt(result.mean)} ${pct(result.spread)}` : '—');

/**
 * `value` against `goal` (both ratios, higher is better), where `margin` is
 * how far the ratio can move within the two figures' spreads.
 */
function verdict(value, goal, margin) {
  if (value >= goal + margin) return '**met**';
  if (value < goal - margin) return '**missed**';
  return value >= goal ? 'met, inside the spreads' : 'missed, inside the spreads';
}

/** The same for a goal that is an upper bound (lower is better). */
const verdictAtMost = (value, limit, margin) => verdict(-value, -limit, margin);

/** One row per goal that the hop files on this Node can decide. */
function rowsFor(node, hops) {
  const rows = [];
  const get = (hop, variant) => hops[hop]?.[variant];
  const ratioRow = ({ hop, label, ours, floor, peer, goal, goalText, against, diagnostic = false }) => {
    const t = get(hop, ours);
    const f = floor && get(hop, floor);
    const p = peer && get(hop, peer);
    if (!t) return;
    const base = against === 'peer' ? p : f;
    const ratio = base ? base.mean / t.mean : undefined;
    const margin = base ? ratio * (t.spread + base.spread) : 0;
    rows.push([
      label,
      node,
      cell(t),
      cell(f),
      cell(p),
      f ? (f.mean / t.mean).toFixed(3) : '—',
      p ? (p.mean / t.mean).toFixed(3) : '—',
      goalText,
      ratio === undefined ? 'not counted' : diagnostic ? `(diagnostic: ${verdict(ratio, goal, margin).replace(/\*/g, '')} against ${goal})` : verdict(ratio, goal, margin),
    ]);
  };

  const prop = get('grpc', 'propagation');
  const headers = get('grpc', 'constant-headers');
  if (prop && headers) {
    const above = prop.mean - headers.mean;
    const margin = prop.mean * prop.spread + headers.mean * headers.spread;
    const budget = 3000 * INSTRUCTIONS_PER_NS;
    rows.push(['gRPC unary, propagation only (per call, client + server)', node, cell(prop), cell(headers), '—', (headers.mean / prop.mean).toFixed(3), '—', `own work ≤ 3 µs (${fmt(budget)}) above the floor: +${fmt(above)} ≈ ${(above / INSTRUCTIONS_PER_NS / 1000).toFixed(1)} µs`, verdictAtMost(above, budget, margin)]);
  }
  ratioRow({ hop: 'grpc', label: 'gRPC unary, client + server spans', ours: 'spans', peer: 'peer', goal: 1.25, goalText: '≥ 1.25× instrumentation-grpc', against: 'peer' });
  ratioRow({ hop: 'graphql', label: 'GraphQL operation span, in process (`yoga.fetch`)', ours: 'trace', floor: 'minimal-span', peer: 'envelop-otel', goal: 0.97, goalText: '≥ 0.97 of the minimal one-span plugin', against: 'floor' });
  ratioRow({ hop: 'graphql', label: '… against a minimal plugin doing the same job (continues the caller\'s trace, active in parse, validate, context and execute)', ours: 'trace', floor: 'minimal-continuing-phases', goal: 0.97, goalText: 'no goal: shows what the job itself costs', against: 'floor', diagnostic: true });
  ratioRow({ hop: 'graphql', label: '… ahead of @envelop/opentelemetry, in process', ours: 'trace', floor: 'minimal-span', peer: 'envelop-otel', goal: 1, goalText: 'ahead of the peer', against: 'peer' });
  ratioRow({ hop: 'graphql', label: 'GraphQL with resolver spans, in process', ours: 'trace-resolvers', peer: 'envelop-otel-resolvers', goal: 1, goalText: 'ahead of the peer', against: 'peer' });
  ratioRow({ hop: 'graphql-http', label: 'GraphQL operation span, over HTTP', ours: 'trace', floor: 'minimal-span', peer: 'envelop-otel', goal: 0.97, goalText: '≥ 0.97 of the minimal one-span plugin', against: 'floor' });
  ratioRow({ hop: 'graphql-http', label: '… ahead of @envelop/opentelemetry, over HTTP', ours: 'trace', floor: 'minimal-span', peer: 'envelop-otel', goal: 1, goalText: 'ahead of the peer', against: 'peer' });
  ratioRow({ hop: 'graphql-http', label: "… ahead of @envelop/opentelemetry + instrumentation-http (which continues the caller's trace), over HTTP", ours: 'trace', floor: 'minimal-span', peer: 'envelop-otel-http', goal: 1, goalText: 'ahead of the peer', against: 'peer' });
  for (const format of ['otel', 'datadog', 'gcp']) {
    ratioRow({ hop: 'pino', label: `pino line, \`${format}\``, ours: format, floor: 'floor', peer: 'peer', goal: 0.95, goalText: 'within 5 % of the constant three-field mixin', against: 'floor' });
    const bare = get('pino', 'bare');
    const ours = get('pino', format);
    const peer = get('pino', 'peer');
    if (bare && ours && peer) {
      const share = (ours.mean - bare.mean) / (peer.mean - bare.mean);
      const margin = (ours.mean * ours.spread + peer.mean * peer.spread + bare.mean * bare.spread) / (peer.mean - bare.mean);
      rows.push([`… added cost ÷ instrumentation-pino's, \`${format}\``, node, cell(ours), cell(get('pino', 'floor')), cell(peer), '—', '—', `≤ 0.60 of the peer's added cost over bare pino: ${share.toFixed(3)}`, verdictAtMost(share, 0.6, margin)]);
    }
  }
  ratioRow({ hop: 'e2e', label: 'end to end, everything on (1 operation, 2 gRPC calls, 4 log lines)', ours: 'on', floor: 'floors', peer: 'peers', goal: 0.97, goalText: '≥ 0.97 of the sum of the hop floors', against: 'floor' });
  ratioRow({ hop: 'e2e', label: '… with the floors\' span count (gRPC interceptors `recordSpans: false`)', ours: 'on-propagation', floor: 'floors', peer: 'peers', goal: 0.97, goalText: '≥ 0.97 of the sum of the hop floors', against: 'floor' });
  return rows;
}

/** The summary table over every Node whose files carry `tag` (`final` by default). */
export function summary(profilesDir, tag = process.env.INSTR_TAG ?? 'final') {
  const nodes = readdirSync(profilesDir)
    .filter((name) => name.endsWith(`-${tag}`))
    .sort((a, b) => Number(/^v(\d+)/.exec(a)[1]) - Number(/^v(\d+)/.exec(b)[1]));
  const rows = [];
  for (const dir of nodes) {
    const hops = {};
    for (const file of readdirSync(`${profilesDir}${dir}`).filter((name) => name.endsWith('.json') && !/-\d+-\d+\.json$/.test(name))) {
      hops[file.replace(/\.json$/, '')] = JSON.parse(readFileSync(`${profilesDir}${dir}/${file}`, 'utf8'));
    }
    rows.push(...rowsFor(dir.replace(`-${tag}`, '').replace(/^v/, 'Node '), hops));
  }
  // Group by hop: the same goal on every Node, one after the other.
  const order = [...new Set(rows.map((row) => row[0]))];
  rows.sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
  if (!existsSync(profilesDir) || rows.length === 0) return `No files tagged "${tag}" in ${profilesDir}: run bench/instructions.mjs with INSTR_TAG=${tag} first.`;
  return markdownTable(['hop (instructions per operation)', 'Node', 'tracehop', 'floor', 'peer', 'floor ÷ tracehop', 'peer ÷ tracehop', 'DESIGN goal', 'verdict'], rows);
}
