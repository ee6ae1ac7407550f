// Benchmarks measure the built packages (their `dist`, what users install),
// so a missing or stale build must stop the run with the fix: a dist older
// than its sources would measure yesterday's code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = ['core', 'grpc', 'envelop', 'pino', 'tenant', 'gcp'];
const packageDir = (name) => fileURLToPath(new URL(`../../packages/${name}/`, import.meta.url));

/** Newest modification time of the files under `dir`. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export function assertBuilt() {
  const missing = PACKAGES.filter((name) => !existsSync(join(packageDir(name), 'dist/index.js')));
  const stale = PACKAGES.filter((name) => !missing.includes(name) && newest(join(packageDir(name), 'src')) > newest(join(packageDir(name), 'dist')));
  if (missing.length + stale.length === 0) return;
  const list = (names, what) => (names.length > 0 ? [`packages/{${names.join(',')}}/dist ${what}`] : []);
  console.error(`bench: ${[...list(missing, 'is missing'), ...list(stale, 'is older than src')].join('; ')}. Run \`pnpm build\` at the repo root first.`);
  process.exit(1);
}
