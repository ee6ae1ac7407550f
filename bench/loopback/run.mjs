// `pnpm bench`: every loopback scenario, one after another, each printing
// its Markdown section, then the goal lines (bench/lib/goals.mjs). Commands
// and knobs: README.md beside this file.
import os from 'node:os';
import { assertBuilt } from '../lib/dist.mjs';
import { checkBenchEnv, checkVariantNames, selectedNames } from '../lib/env.mjs';
import * as e2e from './e2e.bench.mjs';
import * as graphql from './graphql.bench.mjs';
import * as grpc from './grpc.bench.mjs';
import { benchConfig } from './harness/config.mjs';
import { stopAll } from './harness/processes.mjs';
import { formatGoal, formatSection } from './harness/report.mjs';
import * as pino from './pino.bench.mjs';

const SCENARIOS = { grpc, graphql, pino, e2e };

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
  checkBenchEnv();
  assertBuilt();
  const config = benchConfig();
  const names = selectedNames(Object.keys(SCENARIOS));
  checkVariantNames(names.flatMap((name) => SCENARIOS[name].VARIANTS));
  const started = Date.now();
  console.log(`## tracehop loopback benchmarks\n\n${machine(config)}\n`);
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
  console.log(`### Goals (BENCHMARKS.md, "Goals"), in CPU time over loopback\n\n${goals.map(formatGoal).join('\n')}\n`);
  console.log(`_Whole run: ${((Date.now() - started) / 1000).toFixed(0)} s; load average at end: ${load}._`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
