// Instructions per operation, counted by valgrind (cachegrind, no cache
// simulation) around `node --single-threaded`: deterministic where CPU time on
// this shared machine is not (issue 16). Each variant runs in its own process
// at two operation counts; (instructions_hi − instructions_lo) / (ops_hi − ops_lo)
// is its cost per operation with start-up and warm-up cancelled. Every count
// is repeated (INSTR_REPEATS, default 2) and the spread of the per-operation
// figures ((max − min) / mean) is printed next to it.
//
//   node bench/instructions.mjs                     every hop on the Node running it
//   INSTR_ONLY=graphql,grpc node bench/instructions.mjs
//   INSTR_VARIANTS=trace,minimal-span …             narrow the variants (A/B-ing)
//   "$(bash scripts/node-runtime.sh 24.9.0)/node" bench/instructions.mjs    on Node 24
//   node bench/instructions.mjs --diff graphql trace minimal-span           where the difference goes, per function
//   node bench/instructions.mjs --report                                     the tables again from the files a run left
//   INSTR_TAG=final node bench/instructions.mjs --summary                     one table over every Node's files with that tag
//   INSTR_TAG=after …                                                        keep a second set of files (an A/B of a change)
//   INSTR_OPS=grpc=10000:20000,graphql=2000:4000 …                           later windows (Node 24 tiers up later)
//
// Markdown on stdout, progress on stderr; the cachegrind files stay in
// bench/profiles/instructions/<node version>/ for `--diff` and cg_annotate.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { assertBuilt } from './lib/dist.mjs';
import { markdownTable } from './lib/report.mjs';
import { HOPS as DEFAULT_HOPS } from './instructions/hops.mjs';
import { categorize, functionDiff } from './instructions/cachegrind.mjs';
import { startExportPeers } from './instructions/export-peers.mjs';
import { summary } from './instructions/summary.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const NODE = process.execPath;
const OUT = here(`./profiles/instructions/${process.version}${process.env.INSTR_TAG ? `-${process.env.INSTR_TAG}` : ''}/`);
const REPEATS = Number(process.env.INSTR_REPEATS ?? 2);
const JOBS = Number(process.env.INSTR_JOBS ?? os.cpus().length);
const HOPS = withWindows(DEFAULT_HOPS, process.env.INSTR_OPS);

/** The hops with the operation counts INSTR_OPS names (`hop=lo:hi,…`) instead of their defaults. */
function withWindows(hops, spec) {
  if (!spec) return hops;
  const out = { ...hops };
  for (const entry of spec.split(',')) {
    const match = /^(\w+)=(\d+):(\d+)$/.exec(entry.trim());
    if (!match || !out[match[1]] || !(Number(match[3]) > Number(match[2]))) throw new Error(`INSTR_OPS: expected hop=lo:hi with lo < hi and a known hop, got "${entry}"`);
    out[match[1]] = { ...out[match[1]], ops: [Number(match[2]), Number(match[3])] };
  }
  return out;
}

/** Runs one workload under cachegrind; resolves to its total instruction count and its check line. */
function countOnce(hop, variant, ops, repeat, env) {
  const outFile = `${OUT}${hop.name}-${variant}-${ops}-${repeat}.cg`;
  const args = ['--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${outFile}`, NODE, '--single-threaded', here(hop.file), variant, String(ops)];
  return new Promise((resolve, reject) => {
    const childEnv = { ...process.env };
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) delete childEnv[key];
      else childEnv[key] = value;
    }
    const child = spawn('valgrind', args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${hop.name} ${variant} ${ops}: exit ${code}\n${stderr.slice(-3000)}`));
      const summary = /^summary: (\d+)/m.exec(readFileSync(outFile, 'utf8'));
      if (!summary) return reject(new Error(`${outFile}: no summary line`));
      const check = JSON.parse(stdout.trim().split('\n').at(-1));
      writeFileSync(outFile.replace(/\.cg$/, '.json'), JSON.stringify(check));
      resolve({ ...categorize(outFile), check });
    });
  });
}

/** `--report`: the same figures from the files a previous run left. */
function countFromFiles(hop, variant, ops, repeat) {
  const outFile = `${OUT}${hop.name}-${variant}-${ops}-${repeat}.cg`;
  const checkFile = outFile.replace(/\.cg$/, '.json');
  const hopFile = `${OUT}${hop.name}.json`;
  const fromHop = () => (existsSync(hopFile) ? JSON.parse(readFileSync(hopFile, 'utf8'))[variant]?.check : undefined) ?? {};
  const check = existsSync(checkFile) ? JSON.parse(readFileSync(checkFile, 'utf8')) : fromHop();
  return Promise.resolve({ ...categorize(outFile), check });
}

/** A tiny job pool: `JOBS` valgrind processes at a time (counts do not depend on load). */
async function pool(tasks) {
  const results = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(JOBS, tasks.length) }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await tasks[index]();
      }
    }),
  );
  return results;
}

async function measureHop(hop, env, count = countOnce) {
  const only = process.env.INSTR_VARIANTS?.split(',');
  const [lo, hi] = hop.ops;
  const complete = (name) => Array.from({ length: REPEATS }, (_, repeat) => [lo, hi].every((ops) => existsSync(`${OUT}${hop.name}-${name}-${ops}-${repeat}.cg`))).every(Boolean);
  const variants = Object.keys(hop.variants)
    .filter((name) => !only || only.includes(name) || name === hop.bare)
    .filter((name) => count === countOnce || complete(name));
  const tasks = [];
  // INSTR_REPEAT_FROM: add repeats to an earlier run's files (then --report with the larger INSTR_REPEATS).
  for (let repeat = Number(process.env.INSTR_REPEAT_FROM ?? 0); repeat < REPEATS; repeat++) {
    for (const variant of variants) {
      for (const ops of [lo, hi]) tasks.push({ variant, ops, repeat });
    }
  }
  let done = 0;
  const counts = await pool(
    tasks.map((task) => async () => {
      const result = await count(hop, task.variant, task.ops, task.repeat, env);
      process.stderr.write(`\rinstructions: ${hop.name} ${++done}/${tasks.length}   `);
      return { ...task, ...result };
    }),
  );
  process.stderr.write('\n');
  if (Number(process.env.INSTR_REPEAT_FROM ?? 0) > 0 && count === countOnce) return undefined; // tables: --report
  const byVariant = new Map();
  for (const variant of variants) {
    const perOp = [];
    const totalPerOp = [];
    const compilation = [];
    const majorGc = [];
    let check;
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const pick = (ops) => counts.find((c) => c.variant === variant && c.repeat === repeat && c.ops === ops);
      const delta = (field) => (pick(hi)[field] - pick(lo)[field]) / (hi - lo);
      perOp.push(delta('total') - delta('compilation') - delta('majorGc'));
      totalPerOp.push(delta('total'));
      compilation.push(delta('compilation'));
      majorGc.push(delta('majorGc'));
      check = pick(hi).check;
    }
    const average = (values) => values.reduce((a, b) => a + b, 0) / values.length;
    const mean = average(perOp);
    const total = average(totalPerOp);
    const spreadOf = (values) => (Math.max(...values) - Math.min(...values)) / average(values);
    byVariant.set(variant, { mean, spread: spreadOf(perOp), total, totalSpread: spreadOf(totalPerOp), compilation: average(compilation), majorGc: average(majorGc), perOp, totalPerOp, check });
  }
  return byVariant;
}

const fmtCount = (value) => (value >= 1e6 ? `${(value / 1e6).toFixed(3)} M` : value >= 1e4 ? `${(value / 1e3).toFixed(1)} k` : value.toFixed(0));
const signed = (value) => `${value >= 0 ? '+' : '−'}${fmtCount(Math.abs(value))}`;
const ratio = (base, value) => (base && value ? (base / value).toFixed(3) : '—');

function report(hop, byVariant) {
  const get = (name) => byVariant.get(name)?.mean;
  const bare = get(hop.bare);
  const rows = [...byVariant].map(([name, result]) => {
    const meta = hop.variants[name];
    const floor = meta.floor ?? hop.floor;
    const peer = meta.peer;
    return [
      meta.label,
      fmtCount(result.mean),
      `${(result.spread * 100).toFixed(2)}%`,
      fmtCount(result.compilation),
      fmtCount(result.majorGc),
      `${fmtCount(result.total)} (${(result.totalSpread * 100).toFixed(1)}%)`,
      name === hop.bare ? '—' : signed(result.mean - bare),
      ratio(bare, result.mean),
      floor && floor !== name && get(floor) ? ratio(get(floor), result.mean) : '—',
      peer && get(peer) ? ratio(get(peer), result.mean) : '—',
      hop.check(result.check),
    ];
  });
  const [lo, hi] = hop.ops;
  return [
    `#### ${hop.title}`,
    '',
    `Instructions per ${hop.unit}: (count at ${hi} − count at ${lo}) / ${hi - lo} ${hop.unit}s, without two things that land in a window by chance and are shown apart: V8 compiling JavaScript (*JIT*: Turbofan, Maglev, Sparkplug, parser; a one-off per process) and full garbage collections with the GC root scans that vary run to run (*full GC*: mark-compact, sweeping, evacuation; one every few thousand requests); *all* is everything, with its own spread. Mean of ${REPEATS} process pairs; *spread* = (max − min) / mean of those. Ratios are the other row's instructions ÷ this row's (above 1: this row is cheaper).`,
    '',
    markdownTable([`variant`, `instr/${hop.unit}`, 'spread', 'JIT', 'full GC', 'all (spread)', `vs ${hop.variants[hop.bare].label}`, 'ratio to bare', 'ratio to floor', 'ratio to peer', 'check (last run)'], rows),
    '',
  ].join('\n');
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--diff') {
    const [, hopName, a, b] = argv;
    const hop = HOPS[hopName];
    console.log(functionDiff({ dir: OUT, hop: hop.name, ops: hop.ops, a, b, top: Number(process.env.INSTR_TOP ?? 40) }));
    return;
  }
  if (argv[0] === '--summary') {
    console.log(summary(here('./profiles/instructions/')));
    return;
  }
  if (argv[0] === '--report') {
    for (const hop of Object.values(HOPS).filter((h) => existsSync(`${OUT}${h.name}.json`) || existsSync(`${OUT}${h.name}-${h.bare}-${h.ops[1]}-0.cg`))) {
      console.log(report(hop, await measureHop(hop, {}, countFromFiles)));
    }
    return;
  }
  assertBuilt();
  mkdirSync(OUT, { recursive: true });
  const only = process.env.INSTR_ONLY?.split(',');
  const hops = Object.values(HOPS).filter((hop) => !only || only.includes(hop.name));
  console.log(`## Instructions per operation (valgrind ${process.env.INSTR_VALGRIND_VERSION ?? ''}cachegrind, node ${process.version} --single-threaded)\n`);
  console.log(`- date: ${new Date().toISOString()}; ${os.cpus()[0]?.model ?? ''}; ${REPEATS} repeats per count\n`);
  const peers = hops.some((hop) => hop.needsExportPeers) ? await startExportPeers() : undefined;
  try {
    for (const hop of hops) {
      const byVariant = await measureHop(hop, hop.needsExportPeers ? peers.env : {});
      if (!byVariant) continue;
      writeFileSync(`${OUT}${hop.name}.json`, JSON.stringify(Object.fromEntries(byVariant), null, 1));
      console.log(report(hop, byVariant));
      if (hop.needsExportPeers) console.log(`Loopback collector: ${peers.summary()}\n`);
    }
  } finally {
    await peers?.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
