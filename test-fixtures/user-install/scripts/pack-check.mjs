#!/usr/bin/env node
// Packs every publishable package as `pnpm publish` would and checks each
// tarball with publint (strict: warnings fail), @arethetypeswrong/cli, and
// tarball-checks.mjs. Exits 1 on any problem. Expects `pnpm build` first.
//   node scripts/pack-check.mjs [@tracehop/name ...]   (default: every publishable package)
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { packAll } from './pack.mjs';
import { checkUnpacked } from './tarball-checks.mjs';

const run = promisify(execFile);
const bin = (name) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));

/**
 * attw problems accepted for an ESM-only package whose engines say Node >= 20.19,
 * as [problem kind, resolution kind]. Only these pairs: the same problem under
 * another resolution (node16 from ESM, bundler) still fails.
 */
const ACCEPTED_ATTW_PROBLEMS = [
  // TypeScript's `moduleResolution: node10` predates `exports` and cannot see
  // any entry point of an exports-only package. TypeScript itself deprecates
  // node10; a project on it cannot consume ESM-only packages at all. Adding
  // `main`/`types` for it would hand CommonJS-era tools a path that Node
  // (ESM-only code) then refuses under `require` on Node < 20.19.
  ['NoResolution', 'node10'],
  // "A require call resolved to an ESM file": an error before Node 20.19, but
  // from 20.19 on (our `engines`) Node loads ESM with require() (require(esm);
  // no top-level await in these packages), and TypeScript >= 5.8 under
  // `module: nodenext` type-checks it (`node16` still reports TS1479; attw
  // 0.18 bundles TypeScript 5.6 and models only that). user-install.test.ts
  // proves both: .cjs apps require() every package and run, and a .cts file
  // type-checks under nodenext.
  ['CJSResolvesToESM', 'node16-cjs'],
];

async function publint(tarball) {
  try {
    await run(bin('publint'), ['run', tarball, '--strict', '--level', 'warning']);
    return [];
  } catch (error) {
    return [`publint:\n${error.stdout}${error.stderr}`];
  }
}

async function attw(tarball) {
  // attw exits 1 when it finds any problem; the JSON on stdout is what counts.
  const { stdout } = await run(bin('attw'), [tarball, '--format', 'json']).catch((error) => error);
  const report = JSON.parse(stdout);
  const problems = Object.values(report.problems ?? {}).flat();
  return problems
    .filter((problem) => !ACCEPTED_ATTW_PROBLEMS.some(([kind, resolution]) => problem.kind === kind && problem.resolutionKind === resolution))
    .map((problem) => `attw: ${problem.kind} (${problem.resolutionKind ?? 'any resolution'}, entry point ${problem.entrypoint ?? '?'})`);
}

async function checkPackage(pkg, workDir) {
  const unpacked = join(workDir, pkg.name.replace('/', '+'));
  mkdirSync(unpacked);
  await run('tar', ['-xzf', pkg.tarball, '-C', unpacked]);
  const [fromPublint, fromAttw] = await Promise.all([publint(pkg.tarball), attw(pkg.tarball)]);
  return [...checkUnpacked(join(unpacked, 'package'), pkg.files), ...fromPublint, ...fromAttw];
}

async function main(names) {
  const workDir = mkdtempSync(join(tmpdir(), 'tracehop-pack-check-'));
  try {
    const packed = await packAll(workDir, names.length > 0 ? { names } : {});
    const results = await Promise.all(packed.map(async (pkg) => ({ pkg, problems: await checkPackage(pkg, workDir) })));
    for (const { pkg, problems } of results) {
      const label = `${pkg.name}@${pkg.version} (${pkg.files.length} files)`;
      console.log(problems.length === 0 ? `ok    ${label}` : `FAIL  ${label}\n${problems.map((p) => `      ${p}`).join('\n')}`);
    }
    return results.every(({ problems }) => problems.length === 0) ? 0 : 1;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
