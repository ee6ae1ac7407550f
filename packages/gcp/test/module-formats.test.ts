// Child processes against the built package (dist), as an app installs it: a
// CommonJS require(), an ESM import and an esbuild bundle, each getting a real
// token from the fake metadata server and exiting on its own (background
// timers are unref'd).
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { childEnv, createIssuer, startFakeMetadataServer, type FakeMetadataServer } from '@tracehop/fixture-gcp-fakes';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AUDIENCE, buildPackage } from './harness.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const issuer = createIssuer();
let metadata: FakeMetadataServer;

beforeAll(async () => {
  buildPackage();
  metadata = await startFakeMetadataServer({ issuer });
}, 120_000);
afterAll(() => metadata.close());

interface FixtureOutput {
  authorization?: string;
  grpcAuthorization?: string;
  callCredentials: string;
  resolved: string;
  ms: number;
}

async function runFixture(file: string): Promise<FixtureOutput> {
  const started = performance.now();
  const { stdout } = await promisify(execFile)(process.execPath, [`test/fixtures/${file}`, AUDIENCE], {
    cwd: packageDir,
    env: childEnv(metadata.env()),
    timeout: 15_000,
  });
  return { ...(JSON.parse(stdout) as FixtureOutput), ms: performance.now() - started };
}

test.each(['require-built.cjs', 'import-built.mjs'])('%s loads dist, gets a verifiable token, and exits by itself', async (file) => {
  const result = await runFixture(file);
  expect(result.resolved).toMatch(/packages\/gcp\/dist\/index\.js$/);
  expect(result.callCredentials).toBe('function');
  expect(issuer.verify(result.authorization!.replace(/^Bearer /, ''), { audience: AUDIENCE }).ok).toBe(true);
  // The default lifetime is an hour: a held timer would hit the 15 s timeout above.
  expect(result.ms).toBeLessThan(10_000);
});

test('an esbuild bundle with @tracehop/gcp, google-auth-library and grpc-js inside it', async () => {
  const outdir = `${packageDir}test/fixtures/bundle-out`;
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: [`${packageDir}test/fixtures/bundle-app.mjs`],
    outfile: `${outdir}/bundle-app.bundle.mjs`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    metafile: true,
    logLevel: 'silent',
    // grpc-js and google-auth-library are CommonJS and require Node built-ins; an ESM bundle needs a real `require`.
    // (Aliased: the bundle has its own createRequire import, from call-credentials.)
    banner: { js: "import { createRequire as bannerCreateRequire } from 'node:module'; const require = bannerCreateRequire(import.meta.url);" },
  });
  // esbuild names inputs relative to its working directory (the cwd): make them absolute.
  const inputs = Object.keys(result.metafile.inputs).map((file) => resolve(file));
  expect(inputs.some((file) => file.includes('packages/gcp/dist/token-source.js'))).toBe(true);
  expect(inputs.some((file) => file.includes('google-auth-library/build/src/auth/googleauth.js'))).toBe(true);
  expect(inputs.some((file) => file.includes('@grpc/grpc-js/build/src/call-credentials.js'))).toBe(true);
  const output = await runFixture('bundle-out/bundle-app.bundle.mjs');
  expect(output.grpcAuthorization).toBe(output.authorization);
  expect(output.ms).toBeLessThan(10_000);
  expect(issuer.verify(output.authorization!.replace(/^Bearer /, ''), { audience: AUDIENCE }).ok).toBe(true);
});
