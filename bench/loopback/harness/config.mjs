// Run-time knobs, read once from the environment so every scenario measures
// the same way. BENCH_QUICK=1 is a smoke run: it checks that every variant
// works end to end, its numbers mean little.
import { benchFlag, benchNumber } from '../../lib/env.mjs';

/** @typedef {{ seconds: number, rounds: number, processes: number, primeSeconds: number, quick: boolean, cpuProf: boolean }} BenchConfig */

/** @returns {BenchConfig} */
export function benchConfig() {
  const quick = benchFlag('QUICK');
  return {
    // Seconds per variant per round (closed-loop scenarios) and per pino burst.
    seconds: benchNumber('SECONDS', quick ? 0.5 : 3),
    // Measured rounds; one warm-up round more is run and discarded.
    rounds: Math.round(benchNumber('ROUNDS', quick ? 2 : 5)),
    // Processes per variant (gRPC unary and GraphQL): two identical processes
    // can drift apart by 5-10 % for a whole run, so each round splits its time
    // over several and the variant's numbers are their sum.
    processes: Math.round(benchNumber('PROCESSES', 1)),
    // An unmeasured run right before each measured one. With rotated orders a
    // variant can sit idle for up to two rounds, and an idle V8 process needs
    // a moment to get fast again: without priming, whichever variant ran last
    // in a round measured slow. 0 turns it off.
    primeSeconds: benchNumber('PRIME_SECONDS', quick ? 0.1 : 0.5, { zero: true }),
    quick,
    // Write a .cpuprofile per worker process into bench/loopback/profiles/.
    cpuProf: benchFlag('CPU_PROF'),
  };
}
