// Benchmarks measure the built packages (their `dist`, what users install),
// so a missing build must stop the run with the fix, not a stack trace.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PACKAGES = ['core', 'grpc', 'envelop', 'pino', 'tenant'];

export function assertBuilt() {
  const missing = PACKAGES.filter((name) => !existsSync(fileURLToPath(new URL(`../../packages/${name}/dist/index.js`, import.meta.url))));
  if (missing.length > 0) {
    console.error(`bench: packages/{${missing.join(',')}}/dist is missing. Run \`pnpm build\` at the repo root first.`);
    process.exit(1);
  }
}
