// Packs every publishable package (packages/* not marked private) with
// `pnpm pack`, exactly what `pnpm publish` would upload: publishConfig applied,
// `workspace:^` replaced by the real version range.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** Every packages/* folder whose package.json is not private, with its name and version. */
export function publishablePackages(root = repoRoot) {
  const packagesDir = join(root, 'packages');
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packagesDir, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(packagesDir, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return { dir, name: manifest.name, version: manifest.version, private: manifest.private === true };
    })
    .filter((pkg) => !pkg.private)
    .map(({ dir, name, version }) => ({ dir, name, version }));
}

/**
 * Packs each package (or only those named) into `destination`, all at once,
 * and returns where each tarball went and which files it holds. Fails when a
 * package has no `dist/index.js`: an unbuilt package would pack "fine" and empty.
 */
export async function packAll(destination, { names, root = repoRoot } = {}) {
  const packages = publishablePackages(root).filter((pkg) => !names || names.includes(pkg.name));
  const missing = (names ?? []).filter((name) => !packages.some((pkg) => pkg.name === name));
  if (missing.length > 0) throw new Error(`no publishable package named ${missing.join(', ')}`);
  const unbuilt = packages.filter((pkg) => !existsSync(join(pkg.dir, 'dist', 'index.js')));
  if (unbuilt.length > 0) {
    throw new Error(`not built: ${unbuilt.map((pkg) => pkg.name).join(', ')} (run pnpm build first)`);
  }
  return Promise.all(
    packages.map(async (pkg) => {
      const { stdout } = await run('pnpm', ['pack', '--json', '--pack-destination', destination], { cwd: pkg.dir });
      const packed = JSON.parse(stdout);
      return { ...pkg, tarball: packed.filename, files: packed.files.map((file) => file.path) };
    }),
  );
}
