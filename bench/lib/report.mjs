// Turns measurements into Markdown tables (pasted as-is into BENCHMARKS.md)
// and goal verdicts.

export const formatRate = (value) => Math.round(value).toLocaleString('en-US');
export const formatRatio = (value) => (Number.isFinite(value) ? value.toFixed(3) : '—');
export const formatKb = (value) => (Number.isFinite(value) ? `${(value / 1024).toFixed(1)}` : '—');
export const formatPercent = (value) => `${(value * 100).toFixed(1)}%`;

export function markdownTable(headers, rows) {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells) => `| ${cells.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`;
  return [line(headers), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

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

/** One goal: `value` compared with `target` by `direction` ('>=' or '<='). */
export function goal(name, value, direction, target, detail = '') {
  const pass = direction === '>=' ? value >= target : value <= target;
  return { name, value, direction, target, pass, detail };
}

export function formatGoal({ name, value, direction, target, pass, detail }) {
  return `- **${pass ? 'PASS' : 'MISS'}** ${name}: ${formatRatio(value)} (goal ${direction} ${target})${detail ? ` — ${detail}` : ''}`;
}

/** A scenario's whole section: title, table(s), notes, goals. */
export function formatSection({ title, tables, notes = [], goals = [] }) {
  const parts = [`### ${title}`, ''];
  for (const table of tables) parts.push(table, '');
  for (const note of notes) parts.push(`_${note}_`, '');
  for (const entry of goals) parts.push(formatGoal(entry));
  return parts.join('\n').trimEnd() + '\n';
}
