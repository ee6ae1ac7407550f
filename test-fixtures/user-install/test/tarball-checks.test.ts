// The pack check's own rules (scripts/tarball-checks.mjs) on made-up unpacked
// packages: each rule must fire on the mistake it exists for.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { checkUnpacked } from '../scripts/tarball-checks.mjs';

const GOOD_MANIFEST = {
  name: '@tracehop/example',
  version: '1.0.0',
  exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
  publishConfig: { access: 'public' },
  dependencies: { '@tracehop/core': '^1.0.0' },
};
const MAP = (source: string) => JSON.stringify({ version: 3, sources: [source], mappings: '' });

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes an unpacked package into a new `dir` and returns its files as pnpm pack lists them (call before reading `dir`). */
function unpacked(files: Record<string, string>, manifest: object = GOOD_MANIFEST): string[] {
  dir = mkdtempSync(join(tmpdir(), 'tracehop-tarball-checks-'));
  const all = { 'package.json': JSON.stringify(manifest), ...files };
  for (const [path, content] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return Object.keys(all);
}

const complete = {
  LICENSE: 'Apache License',
  'dist/index.js': 'export {};',
  'dist/index.js.map': MAP('../src/index.ts'),
  'dist/index.d.ts': 'export {};',
  'src/index.ts': 'export {};',
};

test('a complete package has no problem', () => {
  const files = unpacked(complete);
  expect(checkUnpacked(dir, files)).toEqual([]);
});

test('build output whose source was deleted is reported once as stale', () => {
  const files = unpacked({ ...complete, 'dist/old.js': '', 'dist/old.d.ts': '', 'dist/old.js.map': MAP('../src/old.ts') });
  expect(checkUnpacked(dir, files)).toEqual([expect.stringMatching(/^dist\/old\.\* has no source src\/old\.ts: stale/)]);
});

test('a map pointing outside the tarball is reported', () => {
  const files = unpacked({ ...complete, 'dist/index.js.map': MAP('../../elsewhere/index.ts') });
  expect(checkUnpacked(dir, files)).toEqual([expect.stringContaining('points at ../elsewhere/index.ts')]);
});

test('maps shipped without src/ are reported', () => {
  const { 'src/index.ts': _source, ...withoutSources } = complete;
  const files = unpacked(withoutSources);
  expect(checkUnpacked(dir, files)).toEqual([expect.stringContaining('ships source maps but not src/')]);
});

test('manifest mistakes: workspace: left, source condition left, no ./package.json, not public, no LICENSE', () => {
  const { LICENSE: _license, ...withoutLicense } = complete;
  const manifest = {
    ...GOOD_MANIFEST,
    exports: { '.': { 'tracehop-source': './src/index.ts', default: './dist/index.js' } },
    publishConfig: {},
    dependencies: { '@tracehop/core': 'workspace:^' },
  };
  const files = unpacked(withoutLicense, manifest);
  expect(checkUnpacked(dir, files)).toEqual([
    'package.json still has a workspace: specifier',
    'package.json still has the tracehop-source condition',
    'exports has no "./package.json"',
    'publishConfig.access is not "public"',
    'no LICENSE',
  ]);
});

test('code importing a package that is only a devDependency is reported, in JavaScript and in declarations', () => {
  const files = unpacked({
    ...complete,
    'dist/index.js': "import { x } from 'fast-check';\nimport { y } from '@tracehop/core';\nimport { readFileSync } from 'node:fs';\nimport 'path';",
    'dist/index.d.ts': "export type T = import('@envelop/types').Plugin;",
  });
  expect(checkUnpacked(dir, files)).toEqual([
    'dist/index.js imports fast-check, which is neither a dependency nor a peer',
    'dist/index.d.ts imports @envelop/types, which is neither a dependency nor a peer',
  ]);
});

test('an optional peer may be imported by declarations and lazily, not statically by JavaScript', () => {
  const manifest = {
    ...GOOD_MANIFEST,
    peerDependencies: { pino: '^10.4.0', 'google-auth-library': '^10.0.0' },
    peerDependenciesMeta: { pino: { optional: true }, 'google-auth-library': { optional: true } },
  };
  const files = unpacked(
    {
      ...complete,
      'dist/index.js': "import { pino } from 'pino';\nconst lazy = () => import('google-auth-library');",
      'dist/index.d.ts': "import type { Logger } from 'pino';",
    },
    manifest,
  );
  expect(checkUnpacked(dir, files)).toEqual(['dist/index.js imports the optional peer pino statically']);
});
