// Lets each scenario file run on its own (`node bench/grpc.bench.mjs`) as
// well as from run.mjs.
import { fileURLToPath } from 'node:url';
import { benchConfig } from './config.mjs';
import { assertBuilt } from './dist.mjs';
import { stopAll } from './processes.mjs';
import { formatSection } from './report.mjs';

export function isMain(importMetaUrl) {
  return process.argv[1] !== undefined && fileURLToPath(importMetaUrl) === process.argv[1];
}

/** Runs one scenario's `run(config)` and prints its sections; exits non-zero on failure. */
export async function runStandalone(run) {
  assertBuilt();
  try {
    for (const section of await run(benchConfig())) console.log(formatSection(section));
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    await stopAll();
  }
}
