// Reads cachegrind output files (--cache-sim=no: one event, Ir) into
// instructions per function, and compares two variants per operation:
// (hi − lo) / Δops for each function in each variant, then the difference.
// JIT-compiled JavaScript has no symbol for valgrind and shows as `???`;
// V8 builtins (Builtins_*), the runtime (Runtime_*), the GC and libc are named.
import { existsSync, readFileSync } from 'node:fs';

/** Instructions by `file:function` in one cachegrind file. */
export function perFunction(path) {
  const totals = new Map();
  let file = '???';
  let current;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith('fl=')) file = line.slice(3);
    else if (line.startsWith('fn=')) {
      const key = `${file.replace(/^.*\//, '')}:${line.slice(3)}`;
      current = totals.get(key) ?? 0;
      totals.set(key, current);
      current = key;
    } else if (current && /^\d/.test(line)) {
      const space = line.indexOf(' ');
      totals.set(current, totals.get(current) + Number(line.slice(space + 1)));
    }
  }
  return totals;
}

function perOp(dir, hop, variant, [lo, hi]) {
  const out = new Map();
  let repeats = 0;
  for (let repeat = 0; existsSync(`${dir}${hop}-${variant}-${hi}-${repeat}.cg`); repeat++) {
    repeats++;
    const hiCounts = perFunction(`${dir}${hop}-${variant}-${hi}-${repeat}.cg`);
    const loCounts = perFunction(`${dir}${hop}-${variant}-${lo}-${repeat}.cg`);
    for (const key of new Set([...hiCounts.keys(), ...loCounts.keys()])) {
      out.set(key, (out.get(key) ?? 0) + ((hiCounts.get(key) ?? 0) - (loCounts.get(key) ?? 0)) / (hi - lo));
    }
  }
  if (repeats === 0) throw new Error(`no cachegrind files for ${hop} ${variant} in ${dir}; run the hop first`);
  for (const [key, value] of out) out.set(key, value / repeats);
  return out;
}

/**
 * V8 compiling JavaScript: Turbofan, Maglev, Sparkplug, the parser and the
 * bytecode generator. A one-off per function and process, so it belongs to
 * warm-up, not to an operation; it still lands in whichever window the
 * tier-up happens to fall into, so it is reported apart.
 */
export const isCompilation = (key) => /v8::internal::(compiler|maglev|baseline|interpreter)::|BytecodeGenerator|v8::internal::(Parser|ParserBase|PreParser|Scanner)|Turboshaft|turboshaft::/.test(key);

/**
 * V8's full (mark-compact) collections: marking, sweeping, evacuation. They
 * come every few thousand requests, so a window holds none, one or part of
 * one depending on where it falls: counted apart, like compilation. Minor
 * collections (scavenges, many per window) stay in the figure.
 */
export const isMajorGc = (key) => /MarkCompact|Marking|Sweep|Evacuat|RecordMigratedSlot|RememberedSetUpdating|LiveObjectRange|MarkBit|ObjectCache|RootScavengeVisitor::VisitRootPointer|detail::sprp/.test(key);

/** One cachegrind file: all instructions, those spent compiling, those in full collections. */
export function categorize(path) {
  let total = 0;
  let compilation = 0;
  let majorGc = 0;
  for (const [key, value] of perFunction(path)) {
    total += value;
    if (isCompilation(key)) compilation += value;
    else if (isMajorGc(key)) majorGc += value;
  }
  return { total, compilation, majorGc };
}

/** Markdown: the functions whose instructions per operation differ most between variants `a` and `b`. */
export function functionDiff({ dir, hop, ops, a, b, top }) {
  const left = perOp(dir, hop, a, ops);
  const right = perOp(dir, hop, b, ops);
  const sum = (map) => [...map.values()].reduce((x, y) => x + y, 0);
  const rows = [...new Set([...left.keys(), ...right.keys()])]
    .map((key) => [key, left.get(key) ?? 0, right.get(key) ?? 0])
    .map(([key, x, y]) => [key, x, y, x - y])
    .sort((p, q) => Math.abs(q[3]) - Math.abs(p[3]))
    .slice(0, top);
  const fmt = (value) => Math.round(value).toLocaleString('en-US');
  return [
    `${hop}: instructions per operation, ${a} vs ${b} (total ${fmt(sum(left))} vs ${fmt(sum(right))}, difference ${fmt(sum(left) - sum(right))})`,
    '',
    `| function | ${a} | ${b} | difference |`,
    '|---|---|---|---|',
    ...rows.map(([key, x, y, d]) => `| \`${key.replaceAll('|', '\\|').slice(0, 110)}\` | ${fmt(x)} | ${fmt(y)} | ${d >= 0 ? '+' : ''}${fmt(d)} |`),
  ].join('\n');
}
