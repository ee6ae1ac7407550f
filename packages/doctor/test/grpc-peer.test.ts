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

/** Runs the app in front of fixture-bff's Node backend; `sdkDefaults`: both on the SDK's default batching, doctor on default flags. */
async function diagnoseApp(file: string, sdkDefaults = false): Promise<Report> {
  const receiver = await startReceiver({ port: 0 });
  cleanups.push(() => receiver.close());
  const telemetry = exportingTelemetry('node-backend', { endpoint: receiver.endpoint, export: sdkDefaults ? 'sdk-default' : 'simple' });
  const backend = await startNodeBackend(telemetry);
  cleanups.push(() => telemetry.shutdown(), () => backend.stop());
  const app = await startChildApp(file, { BACKEND: backend.address, OTLP_URL: `${receiver.endpoint}/v1/traces` });
  cleanups.push(() => app.stop());
  const flags = sdkDefaults ? {} : { exportDelayMs: 0, settleMs: 1_000, waitMs: 10_000 };
  const report = await runDoctor({ url: app.url, query: '{ patient(id: "p-1") { id summary } }', probes: 2, ...flags }, receiver);
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

it("the OpenTelemetry docs' setup (instrumentation-http and -grpc, the SDK's default batching) on default flags: no break", async () => {
  const report = await diagnoseApp('./sdk-defaults-app.cjs', true);
  const text = renderTextReport(report).join('\n');
  expect(report.probes.map((p) => p.breaks.map((b) => `${b.kind}@${b.service}`)), text).toEqual([[], []]);
  for (const probe of report.probes) {
    // The entry is instrumentation-http's server span; tracehop's operation span is INTERNAL under it.
    expect(probe.spans.filter((s) => s.parentSpanId === probe.parentSpanId).map((s) => [s.name, s.kind]), text).toEqual([['POST', 'SERVER']]);
    expect(probe.hops, text).toContainEqual({ from: 'bff', to: 'node-backend', ok: true });
  }
}, 60_000);
