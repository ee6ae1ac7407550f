// Two collector instances receiving parts of the same traces (issue 22, item 3):
// the BFF exports to one instance and the Node backend to another, as two Cloud
// Run instances behind one URL would get them. Each instance decides on the
// half it holds: a failing backend call is kept twice, as two halves (the BFF's
// spans on one instance, the Node backend's on the other), and no instance holds
// the whole trace. more-than-one-instance fires on what the two exported
// together; with both services on one instance it stays quiet.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createServiceTelemetry, startBff, startNodeBackend, type Bff, type NodeBackend, type ServiceTelemetry } from '@tracehop/fixture-bff';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startSelfMonitoredCollector, type SelfMonitoredCollector } from '../src/self-monitored.js';
import { postQuery } from './graphql.js';
import { runPaced } from './paced-load.js';
import { expectFiresOnlyOnFault, sleep, together } from './selfmon.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const LOAD_MS = 12_000;

interface Services {
  bff: Bff;
  backend: NodeBackend;
  telemetry: ServiceTelemetry[];
}
async function services(bffCollector: string, backendCollector: string): Promise<Services> {
  const exporting = (name: string, url: string) =>
    createServiceTelemetry(name, {
      retain: false,
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${url}/v1/traces` }), { scheduledDelayMillis: 200 })],
    });
  const telemetry = [exporting('bff', bffCollector), exporting('node-backend', backendCollector)];
  const backend = await startNodeBackend(telemetry[1]!);
  return { bff: await startBff({ telemetry: telemetry[0]!, backendAddress: backend.address }), backend, telemetry };
}

let first: SelfMonitoredCollector;
let second: SelfMonitoredCollector;
let single: SelfMonitoredCollector;
let split: Services;
let whole: Services;
let failing: string[];
let runMs: number;

beforeAll(async () => {
  const start = () => startSelfMonitoredCollector({ decisionWait: '1s' });
  [first, second, single] = await Promise.all([start(), start(), start()]);
  split = await services(first.collector.otlpHttpUrl, second.collector.otlpHttpUrl);
  whole = await services(single.collector.otlpHttpUrl, single.collector.otlpHttpUrl);
  await Promise.all([split, whole].map((s) => runPaced(s.bff.url, { rate: 10, durationMs: LOAD_MS, token: 'token-hospital-b' })));
  // A few calls the backend fails (errors policy): which halves are kept?
  failing = [];
  for (let i = 0; i < 5; i++) {
    const traceId = crypto.getRandomValues(new Uint8Array(16)).reduce((hex, b) => hex + b.toString(16).padStart(2, '0'), '');
    await postQuery(split.bff.url, 'p-fail', 'token-hospital-b', { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    failing.push(traceId);
  }
  await Promise.all([split, whole].flatMap((s) => s.telemetry.map((t) => t.provider.forceFlush())));
  await sleep(4_000); // decision_wait, the export, the last self-metrics
  runMs = Date.now() - Math.min(first.startedAtMs, second.startedAtMs, single.startedAtMs);
}, 90_000);
afterAll(async () => {
  for (const s of [split, whole]) {
    await s?.bff.stop();
    await s?.backend.stop();
    await Promise.all(s?.telemetry.map((t) => t.shutdown()) ?? []);
  }
  await Promise.all([first, second, single].map((run) => run?.stop()));
});

test('BFF to one instance, Node backend to another: more-than-one-instance fires; one instance for both stays quiet', () => {
  expectFiresOnlyOnFault('more-than-one-instance.json', together(first, second), single, runMs);
});

test('what the split costs: each instance keeps only its own half of a failing trace', () => {
  const keptBy = (run: SelfMonitoredCollector, traceId: string) => run.api.spans.filter((s) => s.traceId === traceId).map((s) => s.resource['service.name']);
  const halves = failing.map((id) => ({ first: keptBy(first, id), second: keptBy(second, id) }));
  console.info(`[two instances] failing traces, services kept per instance: ${JSON.stringify(halves)}`);
  for (const half of halves) {
    expect(half.second.length).toBeGreaterThan(0); // the backend's error span: kept
    expect(half.second.every((service) => service === 'node-backend')).toBe(true);
  }
  // The BFF's half carries the gRPC error too and is kept by the other instance: two halves, never one trace.
  for (const half of halves) expect(half.first.every((service) => service === 'bff')).toBe(true);
});
