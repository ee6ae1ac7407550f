// collector/alerts/apply.sh, run with a recording `gcloud` on PATH: one
// `gcloud monitoring policies create --policy-from-file` per policy file, in the
// project given, with the notification channels given (comma-separated, as
// gcloud takes a list); no channel flag without channels; usage without a project.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { alertsDir, readAlertPolicies } from '../src/alert-policy.js';

function recordingGcloud(): { bin: string; calls: () => string[][] } {
  const dir = mkdtempSync(join(tmpdir(), 'tracehop-alerts-'));
  writeFileSync(join(dir, 'gcloud'), `#!/usr/bin/env bash\nprintf '%s\\0' "$@" >> "${dir}/calls"; printf '\\n' >> "${dir}/calls"\n`);
  chmodSync(join(dir, 'gcloud'), 0o755);
  const calls = () =>
    readFileSync(join(dir, 'calls'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\0').filter(Boolean));
  return { bin: dir, calls };
}

const files = [...readAlertPolicies().keys()].map((name) => join(alertsDir, name));
const run = (bin: string, args: string[]) => execFileSync('bash', [join(alertsDir, 'apply.sh'), ...args], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, stdio: ['ignore', 'pipe', 'pipe'] });

test('one create per policy file, with the notification channels', () => {
  const gcloud = recordingGcloud();
  const channels = ['projects/hospital-saas-prod/notificationChannels/123', 'projects/hospital-saas-prod/notificationChannels/456'];
  run(gcloud.bin, ['hospital-saas-prod', ...channels]);
  expect(gcloud.calls()).toEqual(
    files.map((file) => ['monitoring', 'policies', 'create', '--project=hospital-saas-prod', `--policy-from-file=${file}`, `--notification-channels=${channels.join(',')}`]),
  );
});

test('without channels, no channel flag; without a project, the usage line and exit 2', () => {
  const gcloud = recordingGcloud();
  run(gcloud.bin, ['hospital-saas-prod']);
  expect(gcloud.calls()).toEqual(files.map((file) => ['monitoring', 'policies', 'create', '--project=hospital-saas-prod', `--policy-from-file=${file}`]));
  const usage = spawnSync('bash', [join(alertsDir, 'apply.sh')], { encoding: 'utf8' });
  expect(usage.status).toBe(2);
  expect(usage.stderr).toContain('Usage: collector/alerts/apply.sh PROJECT_ID [NOTIFICATION_CHANNEL...]');
});
