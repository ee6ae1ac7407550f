// Every ```ts block of every README a user reads compiles under `strict`, as
// ESM and as CommonJS, against the built packages, resolved as a user's app
// resolves them (package names → dist types, the real peer types installed
// beside them), and every ```ts run block runs, as ESM and as CommonJS. See
// ../README.md.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { beforeAll, describe, expect, test } from 'vitest';
import { findSnippets, moduleSource, snippetName, type Snippet } from '../src/snippets.js';
import { typecheck, type Diagnostic } from '../src/typecheck.js';

const fixture = fileURLToPath(new URL('..', import.meta.url));
const root = join(fixture, '../..');
const work = join(fixture, '.snippets');
const globals = join(fixture, 'src/readme-globals.d.ts');
const snippets = findSnippets(root);
const runnable = snippets.filter((snippet) => snippet.run);
const where = (snippet: Snippet) => `${snippet.file}:${snippet.line}`;

const control = join(work, 'control-untyped-context.mts');
const CONTROL_SNIPPET = [
  "import { useTraceContext } from '@tracehop/envelop';",
  "import { tenantFromAuth } from '@tracehop/tenant';",
  'useTraceContext({ enrich: tenantFromAuth((ctx) => ctx.principal?.tenantId) });',
].join('\n');

let diagnostics: Diagnostic[] = [];

beforeAll(async () => {
  const unbuilt = ['core', 'grpc', 'envelop', 'pino', 'tenant', 'gcp'].filter((name) => !existsSync(join(root, 'packages', name, 'dist/index.d.ts')));
  if (unbuilt.length > 0) throw new Error(`packages not built: ${unbuilt.join(', ')} (run pnpm build first: snippets compile against dist)`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // Each snippet twice: as an ES module (.mts) and as a CommonJS one (.cts), the two kinds of app.
  const files = snippets.flatMap((snippet) =>
    (['mts', 'cts'] as const).map((extension) => {
      const file = join(work, `${snippetName(snippet)}.${extension}`);
      writeFileSync(file, moduleSource(snippet));
      return file;
    }),
  );
  // A control in the same program: the root README's snippet as issue 24 found it, which must fail.
  writeFileSync(control, `${CONTROL_SNIPPET}\nexport {};\n`);
  diagnostics = await typecheck(work, 'snippets', [...files, control], { module: 'nodenext', declarations: [globals] });
}, 120_000);

/** The diagnostics of one snippet's file, as `README.md:<line>: TSnnnn message` (lines of the Markdown). */
function errorsOf(snippet: Snippet, extension: 'mts' | 'cts'): string[] {
  const file = join(work, `${snippetName(snippet)}.${extension}`);
  return diagnostics
    .filter((diagnostic) => diagnostic.file === file)
    .map((diagnostic) => `${snippet.file}:${snippet.line + diagnostic.line - 1}: ${diagnostic.code} ${diagnostic.message}`);
}

test('the READMEs hold TypeScript snippets, some of them runnable', () => {
  // A guard against an extractor that silently finds nothing.
  expect(snippets.length).toBeGreaterThanOrEqual(10);
  expect(runnable.length).toBeGreaterThanOrEqual(1);
  expect(new Set(snippets.map((snippet) => snippet.file))).toContain('README.md');
});

test('no diagnostic belongs to a file other than the snippets (the globals compile too)', () => {
  const snippetFiles = new Set(snippets.flatMap((snippet) => ['mts', 'cts'].map((extension) => join(work, `${snippetName(snippet)}.${extension}`))));
  expect(diagnostics.filter((diagnostic) => !snippetFiles.has(diagnostic.file) && diagnostic.file !== control)).toEqual([]);
});

test('control: the check fails the snippet issue 24 reported (a GraphQL context of type unknown, TS18046)', () => {
  expect(diagnostics.filter((diagnostic) => diagnostic.file === control).map((diagnostic) => diagnostic.code)).toEqual(['TS18046']);
});

describe.each(snippets.map((snippet) => [where(snippet), snippet] as const))('%s', (_where, snippet) => {
  test('compiles under strict as ESM (.mts, module nodenext)', () => {
    expect(errorsOf(snippet, 'mts')).toEqual([]);
  });

  test('compiles under strict as CommonJS (.cts, module nodenext)', () => {
    expect(errorsOf(snippet, 'cts')).toEqual([]);
  });
});

/** The environment a shell gives an app: without vitest's, pnpm's and npm's variables, nor a NODE_OPTIONS loader. */
function userEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|NODE_OPTIONS$|VITEST|TINYPOOL)/i.test(key)));
}

/** Transpiles a snippet file (no type-check: that is done above) and runs it with this Node. */
async function runSnippet(snippet: Snippet, format: 'esm' | 'cjs'): Promise<{ stdout: string; stderr: string }> {
  const output = ts.transpileModule(moduleSource(snippet), {
    compilerOptions: { module: format === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const file = join(work, `${snippetName(snippet)}.${format === 'esm' ? 'mjs' : 'cjs'}`);
  writeFileSync(file, output);
  return promisify(execFile)(process.execPath, [file], { cwd: work, timeout: 20_000, env: userEnvironment() });
}

describe.each(runnable.map((snippet) => [where(snippet), snippet] as const))('%s (runnable)', (_where, snippet) => {
  test.each(['esm', 'cjs'] as const)('runs as %s: exits 0 with nothing on stderr', async (format) => {
    const { stderr } = await runSnippet(snippet, format);
    expect(stderr).toBe('');
  });
});

// The root README's advice for TypeScript apps that compile to CommonJS: the
// packages are ESM, which a CommonJS file may require() on Node >= 20.19, and
// only `module: nodenext` lets tsc resolve and allow that.
describe('a CommonJS TypeScript app importing the packages', () => {
  const app = join(work, 'cjs');
  const source = [
    "import { useTraceContext } from '@tracehop/envelop';",
    "import { traceMixin } from '@tracehop/pino';",
    'export const plugin = useTraceContext();',
    'export const mixin = traceMixin();',
  ].join('\n');

  beforeAll(() => {
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'package.json'), '{ "type": "commonjs" }\n');
    writeFileSync(join(app, 'app.ts'), `${source}\n`);
  });

  test.each([
    ['commonjs', ['TS2307', 'TS2307']],
    ['node16', ['TS1479', 'TS1479']],
    ['nodenext', []],
  ] as const)('module: %s gives %j', async (module, codes) => {
    const found = await typecheck(app, module, [join(app, 'app.ts')], { module });
    expect(found.map((diagnostic) => diagnostic.code)).toEqual(codes);
  }, 60_000);
});
