// pnpm demo [--kotlin] [--collector [--no-kotlin]]
// The demo: BFF + backend, two hospitals, traces and logs printed. With
// --collector, the same services export through an emulated Cloud Run front
// end (ID tokens, invoker bindings) into the collector image deployed from
// collector/deploy/service.yaml, which exports to a loopback Google Telemetry
// API; it prints each hop (allowed / denied and why), which traces reached
// Google and why, and the per-hospital table (test-fixtures/collector);
// otherwise the services export to tracehop doctor's receiver and the trees are
// printed (test-fixtures/e2e/demo).
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const collector = args.includes('--collector');
const fixture = collector ? '@tracehop/fixture-collector' : '@tracehop/fixture-e2e';
const rest = args.filter((arg) => arg !== '--collector');
if (collector) {
  // The collector binary and its image are built from collector/manifest.yaml and the configs once, and cached.
  const build = spawnSync('bash', ['collector/build.sh'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const run = spawnSync('pnpm', ['--filter', fixture, 'run', 'demo', ...(rest.length ? ['--', ...rest] : [])], { stdio: 'inherit' });
process.exit(run.status ?? 1);
