// Every deployable configuration in collector/config is accepted by the
// collector built from collector/manifest.yaml (`otelcol validate`), alone and
// with the test overlays; a broken one is refused, so the check can fail.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { collectorBinary, configPath } from '../src/index.js';

const run = promisify(execFile);
const binary = collectorBinary();

/** What a deployment must set (the README lists each). */
const DEPLOY_ENV = {
  GOOGLE_CLOUD_PROJECT: 'hospital-saas-prod',
  SAMPLED_TENANTS: '[hospital_a]',
};
const TEST_ENV = { TRACES_FILE: '/tmp/t.jsonl', METRICS_FILE: '/tmp/m.jsonl' };
/** What the oidc-auth.yaml overlay (VM, GKE) needs on top. */
const OIDC_ENV = { COLLECTOR_AUDIENCE: 'https://otelcol.internal.hospital-saas.example' };

async function validate(files: string[], env: Record<string, string>): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(binary, ['validate', ...files.flatMap((f) => ['--config', `file:${configPath(f)}`])], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    return { ok: false, output: stdout + stderr };
  }
}

const LAYOUTS: Record<string, string[]> = {
  'single tier on Cloud Run': ['sampling.yaml', 'cloud-run.yaml'],
  'single tier with the collector checking ID tokens (VM, GKE)': ['sampling.yaml', 'cloud-run.yaml', 'oidc-auth.yaml'],
  'single tier with the test sinks': ['sampling.yaml', 'cloud-run.yaml', 'test/sink-traces.yaml', 'test/sink-metrics.yaml'],
};

for (const [name, files] of Object.entries(LAYOUTS)) {
  test(`${name} validates: ${files.join(' + ')}`, async () => {
    const result = await validate(files, { ...DEPLOY_ENV, ...TEST_ENV, ...OIDC_ENV });
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });
}

test('the Cloud Run config needs no audience (Cloud Run checks the token); the oidc overlay without one is refused', async () => {
  expect((await validate(LAYOUTS['single tier on Cloud Run']!, DEPLOY_ENV)).ok).toBe(true);
  const result = await validate(LAYOUTS['single tier with the collector checking ID tokens (VM, GKE)']!, DEPLOY_ENV);
  expect(result.ok).toBe(false);
  expect(result.output).toContain('no Audience provided');
});

test('a malformed decision_wait is refused', async () => {
  const result = await validate(LAYOUTS['single tier on Cloud Run']!, { ...DEPLOY_ENV, DECISION_WAIT: 'soon' });
  expect(result.ok).toBe(false);
  expect(result.output).toContain('decision_wait');
});
