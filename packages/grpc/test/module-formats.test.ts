// The same app with @tracehop/grpc loaded by `import`, by `require()`, and
// bundled by esbuild: explicit interceptors work in all three, because nothing
// depends on patching a module loader.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { beforeAll, expect, test } from 'vitest';
import { assertBuilt } from './built-package.js';

const run = promisify(execFile);
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

beforeAll(() => {
  assertBuilt(packageDir);
  assertBuilt(fileURLToPath(new URL('../../core', import.meta.url)));
});

interface ScenarioResult {
  parentTraceId: string;
  handlerTraceId: string;
  spans: { name: string; kind: number; traceId: string; spanId: string; parentSpanId?: string }[];
}

async function runApp(file: string): Promise<ScenarioResult> {
  const { stdout } = await run(process.execPath, [file], { cwd: fixtures, timeout: 20_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ScenarioResult;
}

function expectPropagated(result: ScenarioResult): void {
  const client = result.spans.find((s) => s.kind === 2 && s.name === 'tracehop.fixture.Echo/Say');
  const server = result.spans.find((s) => s.kind === 1 && s.name === 'tracehop.fixture.Echo/Say');
  expect(client?.traceId).toBe(result.parentTraceId);
  expect(server?.traceId).toBe(result.parentTraceId);
  expect(server?.parentSpanId).toBe(client?.spanId);
  expect(result.handlerTraceId).toBe(result.parentTraceId);
}

test('ESM app (import)', async () => {
  expectPropagated(await runApp('app.mjs'));
});

test('CommonJS app (require of the ESM build)', async () => {
  expectPropagated(await runApp('app.cjs'));
});

test('esbuild bundle with grpc-js and @tracehop/grpc inside it', async () => {
  const outdir = `${fixtures}bundle-out`;
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: [`${fixtures}app.mjs`],
    outfile: `${outdir}/app.bundle.mjs`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    metafile: true,
    logLevel: 'silent',
    // The proto fixture reads echo.proto next to itself, so it stays outside.
    external: ['@tracehop/fixture-proto'],
    // grpc-js is CommonJS and requires Node built-ins; an ESM bundle needs a real `require`.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  // esbuild names inputs relative to its working directory (the cwd): make them absolute.
  const inputs = Object.keys(result.metafile.inputs).map((file) => resolve(file));
  expect(inputs.some((file) => file.includes('packages/grpc/dist/client.js'))).toBe(true);
  expect(inputs.some((file) => file.includes('@grpc/grpc-js/build/src/client-interceptors.js'))).toBe(true);
  expectPropagated(await runApp('bundle-out/app.bundle.mjs'));
});
