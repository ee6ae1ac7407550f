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
  COLLECTOR_AUDIENCE: 'https://otelcol-abc123-ew.a.run.app',
  GOOGLE_CLOUD_PROJECT: 'hospital-saas-prod',
  SAMPLING_TIER_HOSTNAMES: '[10.0.0.5:4317, 10.0.0.6:4317]',
  SAMPLED_TENANTS: '[hospital_a]',
};
const TEST_ENV = { TRACES_FILE: '/tmp/t.jsonl', METRICS_FILE: '/tmp/m.jsonl', RECEIVED_FILE: '/tmp/r.jsonl' };

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
  'two tiers, tier 1 (trace-ID load balancing)': ['tier1-loadbalancer.yaml'],
  'two tiers, tier 2 (sampling)': ['sampling.yaml', 'tier2-sampling.yaml'],
  'single tier with the test sinks': ['sampling.yaml', 'cloud-run.yaml', 'test/sink-traces.yaml', 'test/sink-metrics.yaml'],
  'tier 1 with the received-spans sink': ['tier1-loadbalancer.yaml', 'test/sink-all-traces.yaml'],
  'tier 2 with the test sinks': ['sampling.yaml', 'tier2-sampling.yaml', 'test/sink-traces.yaml', 'test/sink-metrics.yaml'],
};

for (const [name, files] of Object.entries(LAYOUTS)) {
  test(`${name} validates: ${files.join(' + ')}`, async () => {
    const result = await validate(files, { ...DEPLOY_ENV, ...TEST_ENV });
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });
}

test('a deployment that forgets the audience is refused', async () => {
  const { COLLECTOR_AUDIENCE: _omitted, ...env } = DEPLOY_ENV;
  const result = await validate(LAYOUTS['single tier on Cloud Run']!, env);
  expect(result.ok).toBe(false);
  expect(result.output).toContain('no Audience provided');
});

test('a malformed decision_wait is refused', async () => {
  const result = await validate(LAYOUTS['single tier on Cloud Run']!, { ...DEPLOY_ENV, DECISION_WAIT: 'soon' });
  expect(result.ok).toBe(false);
  expect(result.output).toContain('decision_wait');
});
