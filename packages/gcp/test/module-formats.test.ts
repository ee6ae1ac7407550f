// Child processes against the built package (dist), as an app installs it: a
// CommonJS require() and an ESM import, each getting a real token from the fake
// metadata server and exiting on its own (background timers are unref'd).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { childEnv, createIssuer, startFakeMetadataServer, type FakeMetadataServer } from '@tracehop/fixture-gcp-fakes';
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

async function runFixture(file: string): Promise<{ authorization?: string; callCredentials: string; resolved: string; ms: number }> {
  const started = performance.now();
  const { stdout } = await promisify(execFile)(process.execPath, [`test/fixtures/${file}`, AUDIENCE], {
    cwd: packageDir,
    env: childEnv(metadata.env()),
    timeout: 15_000,
  });
  return { ...(JSON.parse(stdout) as { callCredentials: string; resolved: string }), ms: performance.now() - started };
}

test.each(['require-built.cjs', 'import-built.mjs'])('%s loads dist, gets a verifiable token, and exits by itself', async (file) => {
  const result = await runFixture(file);
  expect(result.resolved).toMatch(/packages\/gcp\/dist\/index\.js$/);
  expect(result.callCredentials).toBe('function');
  expect(issuer.verify(result.authorization!.replace(/^Bearer /, ''), { audience: AUDIENCE }).ok).toBe(true);
  // The default lifetime is an hour: a held timer would hit the 15 s timeout above.
  expect(result.ms).toBeLessThan(10_000);
});
