// The fixture's logback.xml on its own: the JVM started without the Java agent and
// without the harness's -D flags, configured only by environment variables, as a
// Cloud Run service often is.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { GCP_SPAN_ID_KEY, GCP_TRACE_KEY, GCP_TRACE_SAMPLED_KEY, cloudLoggingEntryProblems, parseLogLine } from '../src/index.js';
import { jarPath, javaBinary } from '../src/paths.js';
import { requireJvmFixture } from './support/require-jvm.js';

const run = promisify(execFile);
requireJvmFixture();

it('takes the service from OTEL_SERVICE_NAME, and without the agent writes entries with no trace fields', async () => {
  // Nothing listens on port 1: the client logs its line, then fails with UNAVAILABLE (exit 2).
  const child = run(javaBinary(), ['-XX:TieredStopAtLevel=1', '-jar', jarPath, 'client', '--target', '127.0.0.1:1', '--baggage', 'tenant.id=t_env'], {
    env: { PATH: process.env.PATH ?? '', OTEL_SERVICE_NAME: 'billing-service', CLOUD_LOGGING_TRACE_PROJECT: 'tracehop-demo' },
    timeout: 60_000,
  });
  const { stdout } = await child.catch((error: { stdout: string; code: number }) => {
    expect(error.code).toBe(2);
    return error;
  });
  const lines = stdout.split('\n').flatMap((text) => parseLogLine(text) ?? []);
  expect(lines.map((line) => line.message)).toEqual(['client Say -> 127.0.0.1:1']);
  expect(lines[0]).toMatchObject({ service: 'billing-service', severity: 'INFO', 'tenant.id': 't_env' });
  expect(cloudLoggingEntryProblems(lines[0], { requireTrace: false })).toEqual([]);
  for (const key of [GCP_TRACE_KEY, GCP_SPAN_ID_KEY, GCP_TRACE_SAMPLED_KEY]) expect(lines[0]).not.toHaveProperty([key]);
  expect(stdout).toMatch(/^ERROR \{"code":"UNAVAILABLE"/m);
}, 90_000);
