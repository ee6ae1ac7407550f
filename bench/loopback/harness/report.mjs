// Turns measurements into Markdown tables and goal verdicts.
import { markdownTable } from '../../lib/markdown.mjs';

export const formatRate = (value) => Math.round(value).toLocaleString('en-US');
export const formatRatio = (value) => (Number.isFinite(value) ? value.toFixed(3) : '—');
export const formatKb = (value) => (Number.isFinite(value) ? `${(value / 1024).toFixed(1)}` : '—');
export const formatPercent = (value) => `${(value * 100).toFixed(1)}%`;

/**
 * The standard throughput table: variant · median · ratio to bare · ratio to
 * its peer · heap growth · spread · CPU per operation (and bare's CPU per op
 * divided by it, the noise-resistant twin of the throughput ratio) · check.
 * @param {ReturnType<import('./measure.mjs').interleave> extends Promise<infer R> ? R : never} results
 * @param {{ bare: string, unit: string, peerOf?: Record<string, string>, labels: Record<string, string>, check: (result: object) => string }} layout
 */
export function throughputTable(results, { bare, unit, peerOf = {}, labels, check }) {
  const byVariant = new Map(results.map((result) => [result.variant, result]));
  const bareRate = byVariant.get(bare).rate;
  const bareCpu = byVariant.get(bare).cpuPerOp;
  const rows = results.map((result) => {
    const peer = peerOf[result.variant] && byVariant.get(peerOf[result.variant]);
    return [
      labels[result.variant] ?? result.variant,
      formatRate(result.rate),
      formatRatio(result.rate / bareRate),
      peer ? `${formatRatio(result.rate / peer.rate)} (vs ${labels[peer.variant] ?? peer.variant})` : '—',
      formatKb(result.heapPer100k),
      formatPercent(result.spread),
      Number.isFinite(result.cpuPerOp) ? result.cpuPerOp.toFixed(1) : '—',
      Number.isFinite(result.cpuPerOp) ? formatRatio(bareCpu / result.cpuPerOp) : '—',
      check(result),
    ];
  });
  return markdownTable(
    ['variant', `median ${unit}`, 'ratio to bare', 'ratio to peer', 'heap Δ KB/100k ops', 'spread', 'CPU µs/op', 'CPU ratio', 'check'],
    rows,
  );
}

/**
 * One goal (bench/lib/goals.mjs): `value` compared with `target` by
 * `direction` ('>=' or '<='). Without a value (a variant left out by
 * BENCH_VARIANTS) it reads n/a. A single loopback run cannot rank a
 * difference smaller than the A/A drift printed beside it.
 */
export function goal(name, value, direction, target, detail = '') {
  const pass = !Number.isFinite(value) ? undefined : direction === '>=' ? value >= target : value <= target;
  return { name, value, direction, target, pass, detail };
}

/** A figure with no goal decided by this harness (the instruction counter decides it). */
export function info(name, value, detail = '') {
  return { name, value, detail };
}

export function formatGoal({ name, value, direction, target, pass, detail }) {
  const verdict = direction === undefined ? 'INFO' : pass === undefined ? 'n/a' : pass ? 'PASS' : 'MISS';
  const goalText = direction === undefined ? '' : ` (goal ${direction} ${target})`;
  return `- **${verdict}** ${name}: ${formatRatio(value)}${goalText}${detail ? ` — ${detail}` : ''}`;
}

/** A scenario's whole section: title, table(s), notes, goals. */
export function formatSection({ title, tables, notes = [], goals = [] }) {
  const parts = [`### ${title}`, ''];
  for (const table of tables) parts.push(table, '');
  for (const note of notes) parts.push(`_${note}_`, '');
  for (const entry of goals) parts.push(formatGoal(entry));
  return parts.join('\n').trimEnd() + '\n';
}
