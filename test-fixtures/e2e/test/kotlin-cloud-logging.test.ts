// Issue 26: on Cloud Run a log line joins its trace in Cloud Logging only through
// Google's special fields. HTTP -> BFF -> the grpc-kotlin service under the Java
// agent -> the Node backend: every Kotlin line of the request must be a structured
// entry naming the Kotlin SERVER span, in exactly the shape the Node services'
// pino `gcp` lines of the same request have.
import { createServiceTelemetry, startBff, startNodeBackend, type Bff, type LogLine, type NodeBackend } from '@tracehop/fixture-bff';
import {
  GCP_SPAN_ID_KEY,
  GCP_TRACE_KEY,
  GCP_TRACE_SAMPLED_KEY,
  cloudLoggingEntryProblems,
  startKotlinServer,
  traceIdOf,
  type KotlinLogLine,
  type KotlinServer,
} from '@tracehop/fixture-kotlin-backend';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { allLogs, allSpans, eventually, newTraceparent, postGraphQL, useAsyncContext } from './harness.js';
import { SAY_STEPS, kotlinSummary, saySpans } from './kotlin-coroutines-steps.js';

useAsyncContext();
const PROJECT = 'tracehop-demo';
// The Node services log through @tracehop/pino's gcpLoggerOptions, as a Cloud Run service would.
const bffTelemetry = createServiceTelemetry('bff', { gcpLogs: {} });
const nodeTelemetry = createServiceTelemetry('node-backend', { gcpLogs: {} });
const projectBffTelemetry = createServiceTelemetry('bff', { gcpLogs: { projectId: PROJECT } });
let kotlin: KotlinServer;
let projectKotlin: KotlinServer;
let nodeBackend: NodeBackend;
let bff: Bff;
let projectBff: Bff;

beforeAll(async () => {
  [kotlin, projectKotlin, nodeBackend] = await Promise.all([
    startKotlinServer({ implementation: 'coroutine' }),
    // The option a Kotlin service sets for the legacy form, as pino's `projectId`.
    startKotlinServer({ env: { CLOUD_LOGGING_TRACE_PROJECT: PROJECT } }),
    startNodeBackend(nodeTelemetry),
  ]);
  bff = await startBff({ telemetry: bffTelemetry, backendAddress: kotlin.address, forwardTo: nodeBackend.address });
  projectBff = await startBff({ telemetry: projectBffTelemetry, backendAddress: projectKotlin.address });
}, 120_000);
afterAll(async () => {
  await Promise.all([bff?.stop(), projectBff?.stop()]);
  await Promise.all([kotlin?.stop(), projectKotlin?.stop(), nodeBackend?.stop()]);
});
beforeEach(() => {
  for (const telemetry of [bffTelemetry, nodeTelemetry, projectBffTelemetry]) telemetry.reset();
});

async function ask(url: string, patientId: string, traceparent: string) {
  return postGraphQL(url, `{ patient(id: "${patientId}") { summary } }`, { traceparent, authorization: 'Bearer token-hospital-a' });
}

/** The Node lines naming [trace] in Cloud Logging's field. */
function nodeLines(trace: string, ...services: Parameters<typeof allLogs>): LogLine[] {
  return allLogs(...services).filter((line) => line[GCP_TRACE_KEY] === trace);
}

/** The special fields and their JSON types: what Cloud Logging reads from a line. */
function specialShape(line: LogLine | KotlinLogLine): Record<string, string> {
  const shape: Record<string, string> = {};
  for (const key of ['severity', 'message', 'time', GCP_TRACE_KEY, GCP_SPAN_ID_KEY, GCP_TRACE_SAMPLED_KEY]) {
    shape[key] = typeof (line as Record<string, unknown>)[key];
  }
  return shape;
}

test('every Kotlin line of the request is a Cloud Logging entry naming the Kotlin SERVER span, shaped like the Node lines beside it', async () => {
  const incoming = newTraceparent();
  const seen = kotlinSummary(await ask(bff.url, 'p-500', incoming.header));
  const { server } = await saySpans(kotlin, incoming.traceId);

  // One line per step, on every thread and dispatcher the handler used.
  const kotlinLines = kotlin.logs().filter((line) => traceIdOf(line) === incoming.traceId);
  expect(kotlinLines.map((line) => line.message).sort()).toEqual(SAY_STEPS.map((step) => `step ${step}`).sort());
  expect(seen.steps!.map((step) => step.step)).toEqual([...SAY_STEPS]);
  for (const line of kotlinLines) {
    expect(cloudLoggingEntryProblems(line), line.message).toEqual([]);
    expect(line, line.message).toMatchObject({
      severity: 'INFO',
      [GCP_TRACE_KEY]: incoming.traceId, // the bare trace ID: pino's gcp default
      [GCP_SPAN_ID_KEY]: server.spanId,
      [GCP_TRACE_SAMPLED_KEY]: true,
      'tenant.id': 'hospital_a',
      service: 'kotlin-backend',
    });
  }

  // The BFF's and the Node backend's lines of the same request: same fields, same types, same trace value.
  await eventually(() => nodeLines(incoming.traceId, nodeTelemetry).length >= 4);
  const bffSpans = allSpans(bffTelemetry).filter((span) => span.traceId === incoming.traceId).map((span) => span.spanId);
  const nodeSpans = allSpans(nodeTelemetry).filter((span) => span.traceId === incoming.traceId).map((span) => span.spanId);
  const bffLines = nodeLines(incoming.traceId, bffTelemetry);
  const backendLines = nodeLines(incoming.traceId, nodeTelemetry);
  expect(bffLines.length).toBeGreaterThan(0);
  for (const line of [...bffLines, ...backendLines]) expect(cloudLoggingEntryProblems(line), String(line.message)).toEqual([]);
  for (const line of bffLines) expect(bffSpans).toContain(line[GCP_SPAN_ID_KEY]);
  for (const line of backendLines) expect(nodeSpans).toContain(line[GCP_SPAN_ID_KEY]);
  const shapes = new Set([...bffLines, ...backendLines, ...kotlinLines].map((line) => JSON.stringify(specialShape(line))));
  expect([...shapes]).toEqual([
    JSON.stringify({ severity: 'string', message: 'string', time: 'string', [GCP_TRACE_KEY]: 'string', [GCP_SPAN_ID_KEY]: 'string', [GCP_TRACE_SAMPLED_KEY]: 'boolean' }),
  ]);
  // The agent's own MDC names never reach the line: one set of trace fields, Google's.
  for (const line of kotlinLines) for (const key of ['trace_id', 'span_id', 'trace_flags']) expect(line).not.toHaveProperty([key]);
});

test('a failing Kotlin call logs WARNING (logback WARN, a name Cloud Logging does not have), still joined to its span', async () => {
  const incoming = newTraceparent();
  const response = await ask(bff.url, 'p-fail', incoming.header);
  expect(response.errors).toHaveLength(1); // Yoga masks the gRPC INTERNAL as 'Unexpected error.'
  const [server] = await kotlin.waitForSpans((s) => s.traceId === incoming.traceId && s.kind === 2);
  const lines = kotlin.logs().filter((line) => traceIdOf(line) === incoming.traceId);
  expect(lines).toHaveLength(1);
  expect(cloudLoggingEntryProblems(lines[0])).toEqual([]);
  expect(lines[0]).toMatchObject({ severity: 'WARNING', message: 'Say failed on request', [GCP_SPAN_ID_KEY]: server!.spanId, 'tenant.id': 'hospital_a' });
});

test('an unsampled request: the Kotlin lines still share its trace ID, with trace_sampled false, as pino writes it', async () => {
  const incoming = newTraceparent();
  const unsampled = incoming.header.replace(/-01$/, '-00');
  kotlinSummary(await ask(bff.url, 'p-502', unsampled));
  // No span is exported for it (parent-based sampling on both sides): wait for the lines themselves.
  await eventually(() => kotlin.logs().filter((line) => traceIdOf(line) === incoming.traceId).length === SAY_STEPS.length);
  const kotlinLines = kotlin.logs().filter((line) => traceIdOf(line) === incoming.traceId);
  for (const line of kotlinLines) {
    expect(cloudLoggingEntryProblems(line), line.message).toEqual([]);
    expect(line, line.message).toMatchObject({ [GCP_TRACE_KEY]: incoming.traceId, [GCP_TRACE_SAMPLED_KEY]: false, 'tenant.id': 'hospital_a' });
  }
  // Every step on the handler's path names the same (unexported) SERVER span.
  expect(new Set(kotlinLines.map((line) => line[GCP_SPAN_ID_KEY])).size).toBe(1);
  const bffLines = nodeLines(incoming.traceId, bffTelemetry);
  expect(bffLines.length).toBeGreaterThan(0);
  for (const line of bffLines) expect(line[GCP_TRACE_SAMPLED_KEY]).toBe(false);
  expect(kotlin.spans().filter((span) => span.traceId === incoming.traceId)).toEqual([]);
});

test('CLOUD_LOGGING_TRACE_PROJECT gives the Kotlin lines the projects/<id>/traces/<id> form, as projectId does for pino', async () => {
  const incoming = newTraceparent();
  kotlinSummary(await ask(projectBff.url, 'p-501', incoming.header));
  const [server] = await projectKotlin.waitForSpans((s) => s.traceId === incoming.traceId && s.kind === 2);
  const resourceName = `projects/${PROJECT}/traces/${incoming.traceId}`;
  const kotlinLines = projectKotlin.logs().filter((line) => traceIdOf(line) === incoming.traceId);
  expect(kotlinLines.length).toBeGreaterThan(0);
  for (const line of kotlinLines) {
    expect(cloudLoggingEntryProblems(line)).toEqual([]);
    expect(line).toMatchObject({ [GCP_TRACE_KEY]: resourceName, [GCP_SPAN_ID_KEY]: server!.spanId });
  }
  const bffLines = nodeLines(resourceName, projectBffTelemetry);
  expect(bffLines.length).toBeGreaterThan(0);
});
