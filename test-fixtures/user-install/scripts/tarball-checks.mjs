// Checks on an unpacked tarball that publint and attw do not make: what a
// user's debugger and stack traces need, and what pnpm must have rewritten.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';

const OUTPUT = /^dist\/(.+?)\.(js|d\.ts)(\.map)?$/;

/** Problems found in the unpacked package at `packageDir` (its `package/` folder); empty when none. */
export function checkUnpacked(packageDir, files) {
  const problems = [];
  const shipped = new Set(files);
  const manifestText = readFileSync(join(packageDir, 'package.json'), 'utf8');
  const manifest = JSON.parse(manifestText);

  if (manifestText.includes('workspace:')) problems.push('package.json still has a workspace: specifier');
  // The condition that points at TypeScript sources is for the monorepo only.
  if (manifestText.includes('tracehop-source')) problems.push('package.json still has the tracehop-source condition');
  if (manifest.exports?.['./package.json'] !== './package.json') problems.push('exports has no "./package.json"');
  if (manifest.publishConfig?.access !== 'public') problems.push('publishConfig.access is not "public"');
  if (!shipped.has('LICENSE')) problems.push('no LICENSE');
  problems.push(...undeclaredImports(packageDir, files, manifest));

  if (!files.some((file) => file.startsWith('src/'))) {
    // Without the sources, every source and declaration map points at nothing.
    if (files.some((file) => file.endsWith('.map'))) problems.push('ships source maps but not src/ (add "src" to files, or turn the maps off)');
    return problems;
  }
  const stale = new Set();
  for (const file of files) {
    const output = OUTPUT.exec(file);
    if (!output) continue;
    // tsc -b never deletes the output of a removed source: it would ship as a stale module.
    if (!shipped.has(`src/${output[1]}.ts`)) stale.add(output[1]);
    else if (output[3]) problems.push(...unresolvedMapSources(packageDir, file, shipped));
  }
  for (const module of stale) problems.push(`dist/${module}.* has no source src/${module}.ts: stale build output (rm -rf dist, rebuild)`);
  return problems;
}

/** Each `sources` entry of a source map must be a file in the tarball, or debuggers show nothing. */
function unresolvedMapSources(packageDir, mapFile, shipped) {
  const map = JSON.parse(readFileSync(join(packageDir, mapFile), 'utf8'));
  const base = dirname(join(packageDir, mapFile));
  return (map.sources ?? [])
    .map((source) => relative(packageDir, join(base, map.sourceRoot ?? '', source)))
    .filter((source) => !shipped.has(source) || !existsSync(join(packageDir, source)))
    .map((source) => `${mapFile} points at ${source}, which is not in the tarball`);
}

const STATIC_IMPORT = /\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]/g;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
const PACKAGE_NAME = /^(?:@[\w.~-]+\/)?[\w.~-]+/;

/**
 * Every package the shipped code imports must be a dependency or a peer: a
 * devDependency works in the monorepo and fails at a user's. And a peer
 * marked optional may be imported statically only by declarations (types) or
 * lazily with import(): a static import in JavaScript would crash an app
 * that, as allowed, did not install it.
 */
function undeclaredImports(packageDir, files, manifest) {
  const declared = new Set([manifest.name, ...Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })]);
  const optional = new Set(Object.keys(manifest.peerDependenciesMeta ?? {}).filter((name) => manifest.peerDependenciesMeta[name].optional));
  const problems = new Set();
  for (const file of files.filter((f) => /^dist\/.*\.(js|d\.ts)$/.test(f))) {
    const code = readFileSync(join(packageDir, file), 'utf8');
    const isJs = file.endsWith('.js');
    for (const [specifier, lazy] of [
      ...[...code.matchAll(STATIC_IMPORT)].map((m) => [m[1] ?? m[2], false]),
      ...[...code.matchAll(DYNAMIC_IMPORT)].map((m) => [m[1], true]),
    ]) {
      const name = PACKAGE_NAME.exec(specifier)?.[0];
      if (!name || specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(name)) continue;
      if (!declared.has(name)) problems.add(`${file} imports ${name}, which is neither a dependency nor a peer`);
      else if (isJs && !lazy && optional.has(name)) problems.add(`${file} imports the optional peer ${name} statically`);
    }
  }
  return [...problems];
}
