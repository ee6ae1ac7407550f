// collector/README.md "Deploy on Cloud Run" says only what the tests run: its
// shell block holds exactly the two commands deploy.test.ts and the test set-up
// run (collector/build.sh, collector/deploy/deploy.sh with its arguments), and
// every gcloud/crane command deploy.sh runs is the one the README's table names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { collectorDir } from '../src/index.js';

const readme = readFileSync(join(collectorDir, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Deploy on Cloud Run'), readme.indexOf('\n## ', readme.indexOf('## Deploy on Cloud Run') + 1));
const script = readFileSync(join(collectorDir, 'deploy/deploy.sh'), 'utf8');

test('the deploy section exists and its shell commands are the ones the tests run', () => {
  expect(section.length).toBeGreaterThan(1000);
  const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n').filter((line) => line.trim() && !line.trim().startsWith('#')));
  expect(commands).toHaveLength(2);
  expect(commands[0]).toBe('bash collector/build.sh');
  // deploy.sh PROJECT_ID REGION IMAGE CALLER_SA... — the shape deploy.test.ts runs it with.
  const [command, project, region, image, ...callers] = commands[1]!.split(/\s+/);
  expect(command).toBe('collector/deploy/deploy.sh');
  expect(image).toBe(`${region}-docker.pkg.dev/${project}/collector/otelcol:v1`);
  expect(callers.length).toBeGreaterThan(0);
  for (const caller of callers) expect(caller).toMatch(new RegExp(`^[a-z-]+@${project}\\.iam\\.gserviceaccount\\.com$`));
});

test("every command deploy.sh runs is in the README's table, and nothing else is", () => {
  // `run <command…>` lines of the script, by their command words (up to the first argument with a $ or -).
  const run = [...script.matchAll(/^\s*run (\$CRANE|gcloud) ([a-z][a-z-]*(?: [a-z][a-z-]*)*)/gm)].map((m) => `${m[1] === '$CRANE' ? 'crane' : 'gcloud'} ${m[2]}`);
  expect(run).toEqual([
    'gcloud auth configure-docker',
    'crane push',
    'gcloud iam service-accounts create otelcol',
    'gcloud projects add-iam-policy-binding',
    'gcloud run services replace',
    'gcloud run services add-iam-policy-binding otelcol',
    'gcloud run services describe otelcol',
  ]);
  for (const command of run) expect(section, command).toContain(command);
  for (const role of [...script.matchAll(/roles\/[a-zA-Z.]+/g)].map((m) => m[0])) expect(section, role).toContain(role);
  const table = section.split('\n').filter((line) => line.startsWith('| ')).join('\n');
  const tableCommands = [...table.matchAll(/`((?:gcloud|crane) [a-z][a-z-]*(?: [a-z][a-z-]*)*)/g)].map((m) => m[1]!.replace(/ (?:[a-z-]+@|-).*$/, ''));
  for (const command of tableCommands) expect(run.some((r) => r.startsWith(command) || command.startsWith(r)), command).toBe(true);
});
