// `pnpm bench`: every scenario, one after another, each printing its
// Markdown section, then a summary of the goals from DESIGN.md. The output
// is what BENCHMARKS.md records.
//
//   BENCH_SECONDS=3 BENCH_ROUNDS=5   per-round duration and measured rounds (the defaults)
//   BENCH_QUICK=1                    smoke run: 0.5 s × 2 rounds
//   BENCH_ONLY=grpc,pino             a subset (grpc, graphql, pino, e2e)
//   BENCH_CPU_PROF=1                 a .cpuprofile per worker in bench/profiles/
import os from 'node:os';
import { benchConfig } from './lib/config.mjs';
import { assertBuilt } from './lib/dist.mjs';
import { stopAll } from './lib/processes.mjs';
import { formatGoal, formatSection } from './lib/report.mjs';
import * as e2e from './e2e.bench.mjs';
import * as graphql from './graphql.bench.mjs';
import * as grpc from './grpc.bench.mjs';
import * as pino from './pino.bench.mjs';

const SCENARIOS = { grpc, graphql, pino, e2e };

function selectedScenarios() {
  const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = only?.filter((name) => !(name in SCENARIOS)) ?? [];
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown scenario(s) ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  return only ?? Object.keys(SCENARIOS);
}

function machine(config) {
  const load = os.loadavg().map((value) => value.toFixed(2)).join(' ');
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}`,
    `- node ${process.version}; load average at start (1/5/15 min): ${load}`,
    `- config: ${config.seconds}s per variant per round, ${config.rounds} measured rounds + 1 warm-up, variants interleaved (rotated order per round)${config.primeSeconds > 0 ? `, each measured run preceded by an unmeasured ${config.primeSeconds}s one` : ''}${config.processes > 1 ? `, ${config.processes} processes per variant (gRPC unary, GraphQL), each round's time split over them` : ''}${config.quick ? ' — QUICK MODE, numbers are indicative only' : ''}`,
  ].join('\n');
}

async function main() {
  assertBuilt();
  const config = benchConfig();
  const names = selectedScenarios();
  const started = Date.now();
  console.log(`## tracehop benchmarks\n\n${machine(config)}\n`);
  const goals = [];
  try {
    for (const name of names) {
      process.stderr.write(`bench: ${name}…\n`);
      for (const section of await SCENARIOS[name].run(config)) {
        console.log(formatSection(section));
        goals.push(...section.goals);
      }
    }
  } finally {
    await stopAll();
  }
  const load = os.loadavg().map((value) => value.toFixed(2)).join(' ');
  console.log(`### Goals (DESIGN.md, "Performance goals")\n\n${goals.map(formatGoal).join('\n')}\n`);
  console.log(`_Whole run: ${((Date.now() - started) / 1000).toFixed(0)} s; load average at end: ${load}._`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
