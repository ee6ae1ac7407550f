// The project's own stack with the real JVM peer: BFF (tracehop) → Kotlin gRPC
// service under the OpenTelemetry Java agent, which exports OTLP/gRPC to the doctor.
// Both log Cloud Logging entries (the BFF through @tracehop/pino's gcpLoggerOptions,
// the JVM through logback + logstash-logback-encoder), as on Cloud Run.
import { PassThrough } from 'node:stream';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createServiceTelemetry, startBff } from '@tracehop/fixture-bff';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderTextReport, runDoctor } from '../src/index.js';
import { startReceiver, type Receiver } from '../src/testing.js';
import { startKotlinStack } from './fixtures/kotlin-stack.js';

let receiver: Receiver;
let url: string;
const logs = new PassThrough();
const stops: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  receiver = await startReceiver({ port: 0, grpcPort: 0 });
  const kotlin = await startKotlinStack(receiver.grpcEndpoint!);
  stops.push(() => kotlin.stop());
  kotlin.logs.pipe(logs, { end: false });
  const exporter = new OTLPTraceExporter({ url: `${receiver.endpoint}/v1/traces` });
  const telemetry = createServiceTelemetry('bff', { gcpLogs: {}, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const bff = await startBff({ telemetry, backendAddress: kotlin.server.address });
  url = bff.url;
  // The BFF's pino lines join the JVM's in one stream, as `kubectl logs` of both would.
  const forward = setInterval(() => {
    for (const line of telemetry.logs().splice(0)) logs.write(`${JSON.stringify(line)}\n`);
  }, 20);
  stops.unshift(async () => clearInterval(forward), () => bff.stop(), () => telemetry.shutdown());
}, 120_000);

afterAll(async () => {
  for (const stop of stops) await stop();
  await receiver.close();
});

it('passes every probe: the agent continues the BFF trace with the tenant, and the JVM log lines carry it', async () => {
  const report = await runDoctor(
    {
      url,
      query: '{ patient(id: "p-1") { id summary vitals } }',
      headers: { authorization: 'Bearer token-hospital-b' },
      probes: 3,
      expectTenant: 'hospital_b',
      logStream: logs,
      logBackend: 'gcp',
      settleMs: 1_500,
      waitMs: 15_000,
    },
    receiver,
  );
  const text = renderTextReport(report).join('\n');
  expect(report.probes.flatMap((p) => p.breaks), text).toEqual([]);
  for (const probe of report.probes) {
    expect(probe.hops).toContainEqual({ from: 'bff', to: 'kotlin-backend', ok: true });
    expect(probe.spans.filter((s) => s.service === 'kotlin-backend' && s.kind === 'SERVER').length).toBeGreaterThan(0);
    expect(probe.logLines).toBeGreaterThan(0);
  }
  console.log(text);
}, 60_000);

it('flags the same Kotlin and BFF lines for a backend that links another shape (Datadog)', async () => {
  const report = await runDoctor(
    {
      url,
      query: '{ patient(id: "p-2") { id summary } }',
      headers: { authorization: 'Bearer token-hospital-a' },
      probes: 1,
      expectTenant: 'hospital_a',
      logStream: logs,
      logBackend: 'datadog',
      settleMs: 1_500,
      waitMs: 15_000,
    },
    receiver,
  );
  const text = renderTextReport(report).join('\n');
  const breaks = report.probes.flatMap((p) => p.breaks).map((b) => `${b.kind}@${b.service}`);
  expect(breaks.sort(), text).toEqual(['log-unlinkable-shape@bff', 'log-unlinkable-shape@kotlin-backend']);
}, 60_000);
