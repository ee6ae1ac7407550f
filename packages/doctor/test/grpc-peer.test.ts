// @opentelemetry/instrumentation-grpc in real apps (own processes): registered
// in-module under ESM (no gRPC tracing at all), and stacked with tracehop.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { startNodeBackend } from '@tracehop/fixture-bff';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { renderTextReport, runDoctor, type Report } from '../src/index.js';
import { startReceiver } from '../src/testing.js';
import { startChildApp } from './fixtures/child-app.js';
import { exportingTelemetry } from './fixtures/exporting-telemetry.js';

const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function diagnoseApp(file: string): Promise<Report> {
  const receiver = await startReceiver({ port: 0 });
  cleanups.push(() => receiver.close());
  const telemetry = exportingTelemetry('node-backend', { endpoint: receiver.endpoint });
  const backend = await startNodeBackend(telemetry);
  cleanups.push(() => telemetry.shutdown(), () => backend.stop());
  const app = await startChildApp(file, { BACKEND: backend.address, OTLP_URL: `${receiver.endpoint}/v1/traces` });
  cleanups.push(() => app.stop());
  const report = await runDoctor({ url: app.url, query: '{ patient(id: "p-1") { id summary } }', probes: 2, exportDelayMs: 0, settleMs: 1_000, waitMs: 10_000 }, receiver);
  if (process.env.DOCTOR_PRINT) console.log(renderTextReport(report).join('\n'));
  return report;
}

it('instrumentation-grpc registered in-module in an ESM app: the backend starts a new trace, the BFF is named', async () => {
  const report = await diagnoseApp('./esm-in-module-app.mjs');
  const text = renderTextReport(report).join('\n');
  for (const probe of report.probes) {
    expect(probe.breaks.map((b) => `${b.kind}@${b.service}`), text).toEqual(['hop-new-trace@bff']);
    expect(probe.breaks[0]!.peer).toBe('node-backend');
    expect(probe.spans.filter((s) => s.service === 'bff' && s.kind === 'CLIENT')).toEqual([]);
  }
}, 60_000);

it('instrumentation-grpc and tracehop stacked: tracehop steps aside, one CLIENT span per call, no break', async () => {
  const report = await diagnoseApp('./stacked-app.cjs');
  const text = renderTextReport(report).join('\n');
  expect(report.ok, text).toBe(true);
  for (const probe of report.probes) {
    const clients = probe.spans.filter((s) => s.service === 'bff' && s.kind === 'CLIENT');
    expect(clients.map((s) => s.name)).toEqual(['grpc.tracehop.fixture.Echo/Say']);
    expect(probe.hops).toContainEqual({ from: 'bff', to: 'node-backend', ok: true });
  }
}, 60_000);
