// Run-time knobs, read once from the environment so every scenario measures
// the same way. BENCH_QUICK=1 is a smoke run: it checks that every variant
// works end to end, its numbers mean little.
const quick = process.env.BENCH_QUICK === '1';

function numberFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

function nonNegativeFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0, got ${JSON.stringify(raw)}`);
  return value;
}

/** @typedef {{ seconds: number, rounds: number, processes: number, primeSeconds: number, quick: boolean, cpuProf: boolean }} BenchConfig */

/** @returns {BenchConfig} */
export function benchConfig() {
  return {
    // Seconds per variant per round (closed-loop scenarios) and per pino burst.
    seconds: numberFromEnv('BENCH_SECONDS', quick ? 0.5 : 3),
    // Measured rounds; one warm-up round more is run and discarded.
    rounds: numberFromEnv('BENCH_ROUNDS', quick ? 2 : 5),
    // Processes per variant (gRPC unary and GraphQL): two identical processes
    // can drift apart by 5-10 % for a whole run, so each round splits its time
    // over several and the variant's numbers are their sum.
    processes: Math.round(numberFromEnv('BENCH_PROCESSES', 1)),
    // An unmeasured run right before each measured one. With rotated orders a
    // variant can sit idle for up to two rounds, and an idle V8 process needs
    // a moment to get fast again: without priming, whichever variant ran last
    // in a round measured slow. 0 turns it off.
    primeSeconds: nonNegativeFromEnv('BENCH_PRIME_SECONDS', quick ? 0.1 : 0.5),
    quick,
    // Write a .cpuprofile per worker process into bench/profiles/.
    cpuProf: process.env.BENCH_CPU_PROF === '1',
  };
}
