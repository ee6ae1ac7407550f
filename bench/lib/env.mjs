// Every knob of both harnesses is a BENCH_* environment variable, read
// through here, so one prefix and one rule hold: a malformed value, an
// unknown BENCH_* name or a name in no selected hop stops the run before it
// starts (an hour of valgrind with a mistyped knob measures the wrong thing).
// The instruction counter's earlier INSTR_* names are still read, with a
// warning; the knobs' meanings are in bench/instructions/README.md and
// bench/loopback/README.md.

/** Knobs read by both harnesses, then by each. */
const KNOBS = new Set([
  'ONLY', 'VARIANTS',
  'TAG', 'REPEATS', 'REPEAT_FROM', 'JOBS', 'OPS', 'DIFF_TOP', 'OTLP_URL',
  'SECONDS', 'ROUNDS', 'QUICK', 'PROCESSES', 'PRIME_SECONDS', 'CPU_PROF', 'WORKER_FLAGS',
  'GRPC_KINDS', 'GRPC_CONCURRENCY', 'GRPC_STREAM_CONCURRENCY', 'HTTP_CONCURRENCY',
]);
/** Names that changed meaning or spelling: setting one is an error that names its successor. */
const RENAMED = {
  BENCH_GRPC_UNARY_VARIANTS: 'BENCH_VARIANTS (with BENCH_ONLY=grpc)',
  BENCH_GRAPHQL_VARIANTS: 'BENCH_VARIANTS (with BENCH_ONLY=graphql)',
  INSTR_TOP: 'BENCH_DIFF_TOP',
  INSTR_VALGRIND_VERSION: 'nothing (the runner asks valgrind for its version)',
};
const warned = new Set();

/** The raw value of BENCH_<name> (or its old INSTR_<name>), undefined when unset or empty. */
export function benchEnv(name) {
  if (!KNOBS.has(name)) throw new Error(`bench: BENCH_${name} is not a knob (see bench/lib/env.mjs)`);
  const value = process.env[`BENCH_${name}`];
  if (value !== undefined && value !== '') return value;
  const old = process.env[`INSTR_${name}`];
  if (old === undefined || old === '') return undefined;
  if (!warned.has(name)) {
    warned.add(name);
    process.stderr.write(`bench: INSTR_${name} is read as BENCH_${name}; use the new name\n`);
  }
  return old;
}

/** BENCH_<name> as a number > 0 (or >= 0 with `zero: true`), else `fallback`. */
export function benchNumber(name, fallback, { zero = false } = {}) {
  const raw = benchEnv(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zero)) {
    throw new Error(`BENCH_${name} must be a number ${zero ? '>= 0' : '> 0'}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** BENCH_<name>=1 */
export const benchFlag = (name) => benchEnv(name) === '1';

/** BENCH_<name> as a comma list, or undefined when unset. */
export function benchList(name) {
  const raw = benchEnv(name);
  return raw === undefined ? undefined : raw.split(',').map((item) => item.trim()).filter(Boolean);
}

/**
 * BENCH_ONLY as a subset of `known` (hop or scenario names), in the order
 * given; all of them when unset. An unknown name is an error.
 */
export function selectedNames(known) {
  const only = benchList('ONLY');
  const unknown = only?.filter((name) => !known.includes(name)) ?? [];
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown name(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  return only ?? known;
}

/**
 * BENCH_VARIANTS narrows every selected hop to the variants it names; each
 * hop keeps its baseline (`bare`) so its ratios still have a base.
 */
export function keepVariants(variants, bare) {
  const wanted = benchList('VARIANTS');
  return wanted ? variants.filter((name) => name === bare || wanted.includes(name)) : variants;
}

/** Refuses a BENCH_VARIANTS name that none of the selected hops has (`known`: all their variants). */
export function checkVariantNames(known) {
  const unknown = (benchList('VARIANTS') ?? []).filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_VARIANTS: ${unknown.join(', ')} in no selected hop; known: ${[...new Set(known)].join(', ')}`);
}

/** Refuses unknown or renamed BENCH_* / INSTR_* variables (called once by each runner). */
export function checkBenchEnv() {
  for (const key of Object.keys(process.env)) {
    if (key in RENAMED) throw new Error(`bench: ${key} is gone; use ${RENAMED[key]}`);
    const match = /^(BENCH|INSTR)_(.+)$/.exec(key);
    if (match && !KNOBS.has(match[2])) throw new Error(`bench: unknown variable ${key}; known: ${[...KNOBS].map((name) => `BENCH_${name}`).join(', ')}`);
  }
}
