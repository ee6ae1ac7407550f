// `pnpm bench:instructions`: instructions per operation, counted by valgrind
// (cachegrind, no cache simulation) around `node --single-threaded`:
// deterministic where CPU time on a shared machine is not. Each variant runs
// in its own process at two operation counts; (count_hi − count_lo) /
// (ops_hi − ops_lo) is its cost per operation with start-up and warm-up
// cancelled. Every count is repeated (BENCH_REPEATS, default 2) and the
// spread of the per-operation figures ((max − min) / mean) is printed next
// to it. Commands and knobs: README.md beside this file.
//
// Markdown on stdout, progress on stderr; the cachegrind files stay in
// bench/instructions/profiles/<node version>[-<BENCH_TAG>]/ for `--diff`,
// `--report`, `--summary` and cg_annotate.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { assertBuilt } from '../lib/dist.mjs';
import { benchEnv, benchNumber, checkBenchEnv, checkVariantNames, keepVariants, selectedNames } from '../lib/env.mjs';
import { markdownTable } from '../lib/markdown.mjs';
import { categorize, functionDiff } from './cachegrind.mjs';
import { startExportPeers } from './export-peers.mjs';
import { HOPS as DEFAULT_HOPS } from './hops.mjs';
import { summary } from './summary.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
checkBenchEnv();
const NODE = process.execPath;
const PROFILES = here('./profiles/');
const TAG = benchEnv('TAG');
const OUT = `${PROFILES}${process.version}${TAG ? `-${TAG}` : ''}/`;
const REPEATS = Math.round(benchNumber('REPEATS', 2));
const REPEAT_FROM = Math.round(benchNumber('REPEAT_FROM', 0, { zero: true }));
const JOBS = Math.round(benchNumber('JOBS', os.cpus().length));
const HOPS = withWindows(DEFAULT_HOPS, benchEnv('OPS'));

/** The hops with the operation counts BENCH_OPS names (`hop=lo:hi,…`) instead of their defaults. */
function withWindows(hops, spec) {
  if (!spec) return hops;
  const out = { ...hops };
  for (const entry of spec.split(',')) {
    const match = /^([\w-]+)=(\d+):(\d+)$/.exec(entry.trim());
    if (!match || !out[match[1]] || !(Number(match[3]) > Number(match[2]))) throw new Error(`BENCH_OPS: expected hop=lo:hi with lo < hi and a known hop, got "${entry}"`);
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

async function measureHop(hop, variantNames, env, count = countOnce) {
  const [lo, hi] = hop.ops;
  const complete = (name) => Array.from({ length: REPEATS }, (_, repeat) => [lo, hi].every((ops) => existsSync(`${OUT}${hop.name}-${name}-${ops}-${repeat}.cg`))).every(Boolean);
  const variants = variantNames.filter((name) => count === countOnce || complete(name));
  const tasks = [];
  // BENCH_REPEAT_FROM: add repeats to an earlier run's files (then --report with the larger BENCH_REPEATS).
  for (let repeat = REPEAT_FROM; repeat < REPEATS; repeat++) {
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
  if (REPEAT_FROM > 0 && count === countOnce) return undefined; // tables: --report
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
    `Instructions per ${hop.unit}, window ${lo} → ${hi} ${hop.unit}s, mean of ${REPEATS} process pairs; the columns are explained in bench/instructions/README.md.`,
    '',
    markdownTable([`variant`, `instr/${hop.unit}`, 'spread', 'JIT', 'full GC', 'all (spread)', `vs ${hop.variants[hop.bare].label}`, 'ratio to bare', 'ratio to floor', 'ratio to peer', 'check (last run)'], rows),
    '',
  ].join('\n');
}

/**
 * `--report` after `BENCH_REPEAT_FROM`: a variant recomputed from more repeats
 * than `<hop>.json` holds replaces its entry there, so `--summary` reads the
 * larger sample; entries from as many repeats or more are kept.
 */
function keepMostRepeats(hop, byVariant) {
  const file = `${OUT}${hop.name}.json`;
  const saved = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  let changed = false;
  for (const [name, result] of byVariant) {
    if ((saved[name]?.perOp.length ?? 0) >= result.perOp.length) continue;
    saved[name] = result;
    changed = true;
  }
  if (changed) writeFileSync(file, JSON.stringify(saved, null, 1));
}

/** The hop named on the command line, or an error listing the known ones. */
function hopNamed(name) {
  if (HOPS[name]) return HOPS[name];
  throw new Error(`unknown hop ${JSON.stringify(name)}; known: ${Object.keys(HOPS).join(', ')}`);
}

/** valgrind's version line, or a clear refusal when it is not installed. */
function valgrindVersion() {
  try {
    return execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('bench: valgrind is not installed (Debian: apt-get install valgrind)');
  }
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--diff') {
    const [, hopName, a, b] = argv;
    const hop = hopNamed(hopName);
    if (!a || !b) throw new Error('usage: run.mjs --diff <hop> <variant a> <variant b>');
    console.log(functionDiff({ dir: OUT, hop: hop.name, ops: hop.ops, a, b, top: Math.round(benchNumber('DIFF_TOP', 40)) }));
    return;
  }
  if (argv[0] === '--summary') {
    console.log(summary(PROFILES, TAG ?? 'final'));
    return;
  }
  if (argv[0] !== undefined && argv[0] !== '--report') throw new Error(`unknown argument ${argv[0]}; see bench/instructions/README.md`);
  const hops = selectedNames(Object.keys(HOPS)).map(hopNamed);
  checkVariantNames(hops.flatMap((hop) => Object.keys(hop.variants)));
  const variants = hops.map((hop) => keepVariants(Object.keys(hop.variants), hop.bare));
  if (argv[0] === '--report') {
    for (const [index, hop] of hops.entries()) {
      if (!existsSync(`${OUT}${hop.name}.json`) && !existsSync(`${OUT}${hop.name}-${hop.bare}-${hop.ops[1]}-0.cg`)) continue;
      const byVariant = await measureHop(hop, variants[index], {}, countFromFiles);
      keepMostRepeats(hop, byVariant);
      console.log(report(hop, byVariant));
    }
    return;
  }
  assertBuilt();
  const valgrind = valgrindVersion();
  mkdirSync(OUT, { recursive: true });
  console.log(`## Instructions per operation (${valgrind} cachegrind, node ${process.version} --single-threaded)\n`);
  console.log(`- date: ${new Date().toISOString()}; ${os.cpus()[0]?.model ?? ''}; ${REPEATS} repeats per count\n`);
  const peers = hops.some((hop) => hop.needsExportPeers) ? await startExportPeers() : undefined;
  try {
    for (const [index, hop] of hops.entries()) {
      const byVariant = await measureHop(hop, variants[index], hop.needsExportPeers ? peers.env : {});
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
