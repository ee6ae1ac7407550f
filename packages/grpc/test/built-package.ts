// Child-process tests run the published build (`dist`), not the sources. They
// refuse to run against a stale build: `pnpm test` builds first.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir: string, suffix: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(suffix) && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** Throws unless `packageDir/dist` is at least as new as `packageDir/src`. */
export function assertBuilt(packageDir: string): void {
  const src = newestMtime(join(packageDir, 'src'), '.ts');
  let dist = 0;
  try {
    dist = newestMtime(join(packageDir, 'dist'), '.js');
  } catch {
    // no dist at all
  }
  if (dist < src) throw new Error(`${packageDir}/dist is missing or older than src: run \`pnpm build\` (pnpm test does it)`);
}
