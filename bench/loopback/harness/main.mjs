// Lets each scenario file run on its own (`node bench/loopback/grpc.bench.mjs`)
// as well as from run.mjs.
import { fileURLToPath } from 'node:url';
import { assertBuilt } from '../../lib/dist.mjs';
import { checkBenchEnv, checkVariantNames } from '../../lib/env.mjs';
import { benchConfig } from './config.mjs';
import { stopAll } from './processes.mjs';
import { formatSection } from './report.mjs';

export function isMain(importMetaUrl) {
  return process.argv[1] !== undefined && fileURLToPath(importMetaUrl) === process.argv[1];
}

/** Runs one scenario's `run(config)` (`variants`: all it has) and prints its sections; exits non-zero on failure. */
export async function runStandalone(run, variants) {
  try {
    checkBenchEnv();
    checkVariantNames(variants);
    assertBuilt();
    for (const section of await run(benchConfig())) console.log(formatSection(section));
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    await stopAll();
  }
}
