// Span metrics keyed for Cloud Run: services carrying what Google's resource
// detector sets on Cloud Run (cloud.provider, cloud.account.id, cloud.platform,
// faas.name, faas.version = the revision, faas.instance, cloud.region;
// open-telemetry/opentelemetry-js-contrib resource-detector-gcp
// src/detectors/GcpDetector.ts `cloudRunResource`) and a service.instance.id, the
// Kotlin service under the Java agent (its own service.instance.id, the rest via
// otel.resource.attributes), two instances of the BFF and the Node backend on
// two revisions, all exporting to one collector that exports to the loopback
// Telemetry API. Across instances and revisions there is ONE series per
// (service, tenant, operation, status); no instance or revision attribute
// reaches a metric; the kept traces still carry their full resource; and the
// SLO filters in collector/README.md ("Per-hospital SLIs"), evaluated against
// what arrived, count exactly the requests sent.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createIssuer, startFakeMetadataServer, type FakeMetadataServer } from '@tracehop/fixture-gcp-fakes';
import { collectorDir, startFakeTelemetryApi, startSingleTier, startTracedStack, type FakeTelemetryApi, type LoopbackCollector, type StoredPoint, type TracedStack } from '../src/index.js';
import { buildMix, HOSPITAL_TOKENS, OPERATIONS, patientFor, type MixRequest } from './hospital-mix.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const PROJECT = 'tracehop-test';
let metadata: FakeMetadataServer;
let api: FakeTelemetryApi;
let collector: LoopbackCollector;
let stacks: [TracedStack, TracedStack];

/** What Google's detector sets for one Cloud Run instance of `service` on `revision`. */
function cloudRunResource(service: string, revision: number, instance: string): Record<string, string> {
  return {
    'cloud.provider': 'gcp',
    'cloud.account.id': PROJECT,
    'cloud.platform': 'gcp_cloud_run',
    'cloud.region': 'europe-west1',
    'faas.name': service,
    'faas.version': `${service}-0000${revision}-${instance.slice(0, 3)}`,
    'faas.instance': `00f46b9285${instance}`,
  };
}

beforeAll(async () => {
  metadata = await startFakeMetadataServer({ issuer: createIssuer(), projectId: PROJECT });
  api = await startFakeTelemetryApi({ metadata });
  collector = await startSingleTier({ decisionWait: '1s', slowThresholdMs: 1_000, sampledTenants: [], traces: 'google', metrics: 'google', telemetryApiUrl: api.url, metadata });
  const stackOn = (revision: number, instance: string, kotlin: boolean) =>
    startTracedStack({
      collectorUrl: collector.otlpHttpUrl,
      kotlin,
      operationNames: Object.keys(OPERATIONS),
      // The Java agent adds its own service.instance.id; the Node SDK gets one here.
      resourceAttributes: (service) => ({ ...cloudRunResource(service, revision, instance), ...(service === 'kotlin-backend' ? {} : { 'service.instance.id': `${service}-${instance}` }) }),
    });
  stacks = await Promise.all([stackOn(1, 'aaa111', true), stackOn(2, 'bbb222', false)]);
}, 90_000);
afterAll(async () => {
  await Promise.all((stacks ?? []).map((stack) => stack?.stop()));
  await collector?.stop();
  await api?.stop();
  await metadata?.close();
});

async function send(stack: TracedStack, request: MixRequest, i: number): Promise<void> {
  const bff = request.route === 'via node' ? stack.bffViaNode : stack.bffViaKotlin!;
  const response = await fetch(bff.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${HOSPITAL_TOKENS[request.hospital]}`, traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01` },
    body: JSON.stringify({ query: OPERATIONS[request.operation].query, variables: { id: patientFor(request.outcome, i) }, operationName: request.operation }),
  });
  const body = await response.text();
  expect(response.status, `${request.route} ${request.operation} ${request.outcome}: ${body}`).toBe(200);
}

const INSTANCE_KEYS = /^(service\.instance\.id|faas\.|cloud\.|host\.|process\.|telemetry\.|collector\.instance\.id)/;

/** The README's SLO filters for hospital_x, as written there. */
function readmeSloFilters(): string[] {
  const readme = readFileSync(`${collectorDir}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## Per-hospital SLIs'), readme.indexOf('\n## ', readme.indexOf('## Per-hospital SLIs') + 5));
  const filters = [...section.matchAll(/```json\n([\s\S]*?)```/g)].flatMap((block) => {
    const sli = (JSON.parse(block[1]!) as { serviceLevelIndicator: { requestBased: Record<string, Record<string, string>> } }).serviceLevelIndicator.requestBased;
    return Object.values(sli).flatMap((body) => Object.entries(body).filter(([key]) => key.endsWith('Filter')).map(([, filter]) => filter));
  });
  return filters;
}

test('one series per (service, tenant, operation, status) across instances and revisions; the SLO filters count what was sent', async () => {
  // Stack 1 (revision 1, with Kotlin): both call orders; stack 2 (revision 2): via Node.
  const mixes: Array<[TracedStack, MixRequest[]]> = [
    [stacks[0], buildMix([['hospital_a', 'GetPatient', 'ok', 3], ['hospital_a', 'GetPatient', 'error', 1], ['hospital_b', 'PatientVitals', 'ok', 2]])],
    [stacks[1], buildMix([['hospital_a', 'GetPatient', 'ok', 4, 'via node'], ['hospital_a', 'GetPatient', 'error', 2, 'via node'], ['hospital_b', 'PatientVitals', 'ok', 1, 'via node']])],
  ];
  for (const [stack, mix] of mixes) for (const [i, request] of mix.entries()) await send(stack, request, i);
  for (const stack of stacks) expect(await stack.flush()).toEqual([]);
  const sent = mixes.flatMap(([, mix]) => mix);

  const calls = () => api.latestSeries('metric.type="prometheus.googleapis.com/traces.span.metrics.calls/counter"');
  // The Java agent writes its record of a batch (logging-otlp, stderr) and sends
  // the same spans over OTLP from separate batch processors: either may come
  // first, so both sides are read again until they agree (or the deadline).
  const producedNow = () => stacks.flatMap((stack) => stack.produced());
  const deadline = Date.now() + 20_000;
  while (calls().reduce((n, s) => n + s.value, 0) !== producedNow().length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
  const produced = producedNow();
  const series = calls();
  console.info(`[cloud run keys] ${sent.length} requests, ${produced.length} spans from 2 BFF + 2 Node instances (revisions 1, 2) and 1 Kotlin; ${series.length} calls series, rejected points ${api.rejectedPoints.length}`);
  expect(series.reduce((n, s) => n + s.value, 0)).toBe(produced.length);
  expect(api.rejectedPoints).toEqual([]);

  // No instance, revision or platform attribute on any series, and one resource per service.
  for (const s of series) expect(Object.keys(s.metric.labels).filter((key) => INSTANCE_KEYS.test(key))).toEqual([]);
  const targets = new Map(series.map((s) => [s.resource.labels.job, JSON.stringify(s.resource.labels)]));
  expect(new Set(series.map((s) => JSON.stringify(s.resource.labels)))).toEqual(new Set(targets.values()));
  expect([...targets.keys()].sort()).toEqual(['bff', 'kotlin-backend', 'node-backend']);

  // One series per (service, span, kind, tenant, operation, status): no key repeats.
  const keyOf = (s: StoredPoint) => JSON.stringify([s.resource.labels.job, s.metric.labels]);
  expect(new Set(series.map(keyOf)).size).toBe(series.length);
  // The BFF's requests of both instances are counted in the same series.
  const bffServer = (tenant: string, operation: string, status: string) =>
    series.filter((s) => s.resource.labels.job === 'bff' && s.metric.labels['span.kind'] === 'SPAN_KIND_SERVER' && s.metric.labels['tenant.id'] === tenant && s.metric.labels['graphql.operation.name'] === operation && s.metric.labels['status.code'] === status);
  const countSent = (hospital: string, operation: string, outcome: string) => sent.filter((r) => r.hospital === hospital && r.operation === operation && r.outcome === outcome).length;
  expect(bffServer('hospital_a', 'GetPatient', 'STATUS_CODE_UNSET').map((s) => s.value)).toEqual([countSent('hospital_a', 'GetPatient', 'ok')]);
  expect(bffServer('hospital_a', 'GetPatient', 'STATUS_CODE_ERROR').map((s) => s.value)).toEqual([countSent('hospital_a', 'GetPatient', 'error')]);
  expect(bffServer('hospital_b', 'PatientVitals', 'STATUS_CODE_UNSET').map((s) => s.value)).toEqual([countSent('hospital_b', 'PatientVitals', 'ok')]);

  // The README's SLO filters, for hospital_a, against what arrived.
  const filters = readmeSloFilters().map((filter) => filter.replaceAll('hospital_x', 'hospital_a'));
  expect(filters).toHaveLength(3);
  const [total, bad, distribution] = filters.map((filter) => api.latestSeries(filter).reduce((n, s) => n + s.value, 0));
  const hospitalA = sent.filter((r) => r.hospital === 'hospital_a');
  expect({ total, bad, distribution }).toEqual({ total: hospitalA.length, bad: hospitalA.filter((r) => r.outcome === 'error').length, distribution: hospitalA.length });
}, 90_000);

test('kept traces reach Cloud Trace with their full resource (instance, revision, platform), only the metrics lose them', async () => {
  // Runs after the first test: its error requests were kept by the errors policy.
  const deadline = Date.now() + 15_000;
  const bffInstances = () => new Set(api.spans.filter((s) => s.resource['service.name'] === 'bff').map((s) => s.resource['faas.instance']));
  // Both stacks sent error requests (kept): wait for the Kotlin spans and both BFF instances.
  while ((!api.spans.some((s) => s.resource['service.name'] === 'kotlin-backend') || bffInstances().size < 2) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
  const kotlin = api.spans.find((s) => s.resource['service.name'] === 'kotlin-backend');
  const bff = api.spans.filter((s) => s.resource['service.name'] === 'bff');
  console.info(`[cloud run keys] kept spans ${api.spans.length}; the Kotlin resource: ${JSON.stringify(kotlin?.resource)}`);
  expect(kotlin?.resource).toMatchObject({ 'faas.name': 'kotlin-backend', 'faas.version': 'kotlin-backend-00001-aaa', 'cloud.platform': 'gcp_cloud_run', 'gcp.project_id': PROJECT });
  expect(kotlin?.resource['service.instance.id']).toEqual(expect.any(String));
  expect(bffInstances()).toEqual(new Set(['00f46b9285aaa111', '00f46b9285bbb222']));
  expect(bff.length).toBeGreaterThan(0);
}, 30_000);
