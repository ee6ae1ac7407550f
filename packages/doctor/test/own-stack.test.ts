// The project's own stack (BFF → Node backend, all tracehop) passes every probe.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { startBff, startNodeBackend } from '@tracehop/fixture-bff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTextReport, runDoctor } from '../src/index.js';
import { startReceiver, type Receiver } from '../src/testing.js';
import { exportingTelemetry } from './fixtures/exporting-telemetry.js';

const QUERY = '{ patient(id: "p-1") { id summary vitals } }';
let receiver: Receiver;
let url: string;
let logFile: string;
const stops: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  receiver = await startReceiver({ port: 0 });
  logFile = join(mkdtempSync(join(tmpdir(), 'doctor-')), 'logs.jsonl');
  const bffTelemetry = exportingTelemetry('bff', { endpoint: receiver.endpoint, logFile });
  const backendTelemetry = exportingTelemetry('node-backend', { endpoint: receiver.endpoint, encoding: 'json', logFile });
  const backend = await startNodeBackend(backendTelemetry);
  const bff = await startBff({ telemetry: bffTelemetry, backendAddress: backend.address });
  url = bff.url;
  stops.push(() => bff.stop(), () => backend.stop(), () => bffTelemetry.shutdown(), () => backendTelemetry.shutdown());
});

afterAll(async () => {
  for (const stop of stops) await stop();
  await receiver.close();
});

describe('doctor against BFF → Node backend (tracehop everywhere)', () => {
  it('passes every probe, with the logs checked and the tenant expected', async () => {
    const report = await runDoctor(
      { url, query: QUERY, headers: { authorization: 'Bearer token-hospital-a' }, probes: 3, logs: [logFile], logBackend: 'otel', expectTenant: 'hospital_a', settleMs: 1_000, waitMs: 10_000 },
      receiver,
    );
    const text = renderTextReport(report).join('\n');
    expect(report.probes.flatMap((p) => p.breaks), text).toEqual([]);
    expect(report.ok).toBe(true);
    for (const probe of report.probes) {
      expect(probe.effectiveTraceId).toBe(probe.traceId);
      expect(probe.hops).toContainEqual({ from: 'probe', to: 'bff', ok: true });
      expect(probe.hops).toContainEqual({ from: 'bff', to: 'node-backend', ok: true });
      expect(probe.logLines).toBeGreaterThan(0);
    }
    console.log(text);
  });
});
