// `--logs` is repeatable, and a file can say whose lines it holds
// (`SERVICE=FILE`) when the lines carry no service field of their own.
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { pino } from 'pino';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { parseCliArgs } from '../src/args.js';
import { startBareBackend } from './fixtures/bare-backend.js';
import { breakKinds, diagnoseStack } from './fixtures/stack.js';
import { exportingTelemetry } from './fixtures/exporting-telemetry.js';
import { startReceiver } from '../src/testing.js';

const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('parses --logs more than once, with an optional SERVICE= prefix, and --log-service-field', () => {
  const logs = ['--logs', 'a.jsonl', '--logs', 'node-backend=b.jsonl', '--logs', './c=d.jsonl'];
  const field = ['--log-service-field', 'resource.service'];
  const { doctor } = parseCliArgs(['doctor', '--url', 'http://x/graphql', '--query', '{a}', ...logs, ...field]);
  expect(doctor.logs).toEqual(['a.jsonl', 'node-backend=b.jsonl', './c=d.jsonl']);
  expect(doctor.logServiceField).toBe('resource.service');
});

it("two log files, the backend's lines without a service field: its file names the service", async () => {
  const receiver = await startReceiver({ port: 0 });
  cleanups.push(() => receiver.close());
  const backendLogs = join(mkdtempSync(join(tmpdir(), 'doctor-logs-')), 'backend.jsonl');
  const telemetry = exportingTelemetry('node-backend', { endpoint: receiver.endpoint });
  // pino with no `base`: no service, pid or hostname on the line.
  const logger = pino({ base: null }, new Writable({ write: (chunk: Buffer, _e, done) => (appendFileSync(backendLogs, chunk), done()) }));
  const backend = await startBareBackend({ ...telemetry, logger });
  cleanups.push(() => telemetry.shutdown(), () => backend.stop());
  const { report, text } = await diagnoseStack(
    { backend: { address: backend.address }, extraLogs: [`node-backend=${backendLogs}`], doctor: { probes: 1, waitMs: 3_000 } },
    cleanups,
    receiver,
  );
  expect(breakKinds(report), text).toEqual([[`client-without-server@${backend.address}`, 'log-without-trace@node-backend']]);
  expect(report.probes[0]!.logLines).toBeGreaterThanOrEqual(2);
}, 60_000);
