// The JVM peer broken the way it happens in production: the agent runs and
// exports, but its gRPC instrumentation is off, so the Kotlin server neither
// extracts the traceparent nor records a span, and its log lines carry no trace.
import { PassThrough } from 'node:stream';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { startBff } from '@tracehop/fixture-bff';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderTextReport, runDoctor } from '../src/index.js';
import { startReceiver, type Receiver } from '../src/testing.js';
import { exportingTelemetry } from './fixtures/exporting-telemetry.js';
import { startBrokenBff } from './fixtures/broken-bff.js';
import { startKotlinStack } from './fixtures/kotlin-stack.js';

/** The fixture's agent exports every 100 ms (otel.bsp.schedule.delay), the Node services as spans end. */
const JVM_EXPORT_DELAY_MS = 500;
let receiver: Receiver;
let url: string;
let kotlinAddress: string;
const logs = new PassThrough();
const stops: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  receiver = await startReceiver({ port: 0, grpcPort: 0 });
  const kotlin = await startKotlinStack(receiver.grpcEndpoint!, { 'otel.instrumentation.grpc.enabled': 'false' });
  stops.push(() => kotlin.stop());
  kotlin.logs.pipe(logs, { end: false });
  kotlinAddress = kotlin.server.address;
  const telemetry = exportingTelemetry('bff', { endpoint: receiver.endpoint });
  const bff = await startBff({ telemetry, backendAddress: kotlinAddress });
  url = bff.url;
  stops.unshift(() => bff.stop(), () => telemetry.shutdown());
}, 120_000);

afterAll(async () => {
  for (const stop of stops) await stop();
  await receiver.close();
});

it('a BFF forwarding the client\'s sentry-trace header: the Java agent records it on the Kotlin span (captured metadata), vendor-header-leak@kotlin-backend', async () => {
  const vendorReceiver = await startReceiver({ port: 0, grpcPort: 0 });
  const kotlin = await startKotlinStack(vendorReceiver.grpcEndpoint!, { 'otel.instrumentation.grpc.capture-metadata.server.request': 'sentry-trace' });
  const telemetry = exportingTelemetry('bff', { endpoint: vendorReceiver.endpoint });
  const bff = await startBrokenBff({ telemetry, backendAddress: kotlin.server.address, graphql: 'tracehop', forwardHeaders: ['sentry-trace'] });
  try {
    const report = await runDoctor(
      { url: bff.url, query: '{ patient(id: "p-1") { id summary } }', headers: { authorization: 'Bearer token-hospital-a' }, probes: 2, exportDelayMs: JVM_EXPORT_DELAY_MS, settleMs: 1_500, waitMs: 10_000 },
      vendorReceiver,
    );
    const text = renderTextReport(report).join('\n');
    for (const probe of report.probes) expect(probe.breaks.map((b) => `${b.kind}@${b.service}`), text).toEqual(['vendor-header-leak@kotlin-backend']);
  } finally {
    await bff.stop();
    await telemetry.shutdown();
    await kotlin.stop();
    await vendorReceiver.close();
  }
}, 90_000);

it('names the Kotlin service (by address) for the missing SERVER span, and its log lines for the missing trace', async () => {
  const report = await runDoctor(
    { url, query: '{ patient(id: "p-1") { id summary } }', headers: { authorization: 'Bearer token-hospital-a' }, probes: 2, logStream: logs, exportDelayMs: JVM_EXPORT_DELAY_MS, settleMs: 1_500, waitMs: 10_000 },
    receiver,
  );
  const text = renderTextReport(report).join('\n');
  for (const probe of report.probes) {
    expect(probe.breaks.map((b) => `${b.kind}@${b.service}`).sort(), text).toEqual([`client-without-server@${kotlinAddress}`, 'log-without-trace@kotlin-backend']);
  }
}, 60_000);
