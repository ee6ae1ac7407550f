// `pnpm demo --collector`: the fixture services exporting through Cloud Run's
// front end (emulated: Invoker IAM check, signature removed) into the collector
// image deployed from collector/deploy/service.yaml (run from its own OCI
// config), which exports to Google's Telemetry API (a loopback fake). ID tokens
// come from a loopback metadata server through @tracehop/gcp. Prints each hop:
// service -> front end (allowed / denied and why) -> collector -> Google, which
// traces Google received and why, the per-hospital table from the span
// metrics Google received, and the collector's own health from its self-metrics
// (collector-health.ts).
import { googleIdTokenHeaders } from '@tracehop/gcp';
import { applyEnv, startFakeMetadataServer } from '@tracehop/fixture-gcp-fakes';
import { jvmFixtureAvailable, type OtlpSpan } from '@tracehop/fixture-kotlin-backend';
import { DEMO_PROJECT, hopLines, seriesFromGoogle, startDemoPlatform, type DemoPlatform } from './demo-platform.js';
import { collectorHealth, formatCollectorHealth, type CollectorHealth } from './collector-health.js';
import { byTrace } from './file-sink.js';
import { formatSliTable, hospitalSlis, type HospitalSliRow } from './sli-table.js';
import { startTracedStack, type TracedStack } from './traced-stack.js';

const NODE_SA = `bff@${DEMO_PROJECT}.iam.gserviceaccount.com`;
const KOTLIN_SA = `patient-records@${DEMO_PROJECT}.iam.gserviceaccount.com`;
const INTRUDER_SA = 'reporting@another-project.iam.gserviceaccount.com';

/** Options for {@link runCollectorDemo}. */
export interface CollectorDemoOptions {
  /**
   * Route half the requests through the Kotlin backend (Java agent exporting OTLP to the same collector).
   * @default jvmFixtureAvailable()
   */
  kotlin?: boolean;
  /** Where the report goes. @default console.log */
  log?: (line: string) => void;
}

/** One request of the demo and what the collector did with its trace. */
export interface DemoTrace {
  label: string;
  traceId: string;
  spansProduced: number;
  spansKept: number;
  /** First start to last end over the trace's spans, as the latency policy measures it. */
  durationMs: number;
  /** The policies that select this trace ('error', 'slow', 'allow-listed tenant'); empty = dropped. */
  reasons: string[];
}

const SLOW_MS = 300;
/** The collector's self-metrics every second instead of every 30 s: its alert windows are read 30x shorter (alert-evaluate.ts). */
const SELF_METRICS_INTERVAL_MS = 1_000;
const DECISION_WAIT_MS = 2_000;
const ALLOWED = 'hospital_a';

/** What {@link runCollectorDemo} returns: each trace's fate, the hop lines and the per-hospital table it printed. */
export interface CollectorDemoResult {
  traces: DemoTrace[];
  slis: HospitalSliRow[];
  /** service -> front end (allowed / denied, why) -> collector, one line per caller and verdict. */
  hops: string[];
  /** What the collector's self-metrics said at the end (spans received, refused, traces kept, dropped, exported; alerts firing). */
  health: CollectorHealth;
}

/** The BFF's operations, listed in its `operationNames` (any other name would be recorded as `_OTHER`). */
const QUERIES = {
  GetPatient: 'query GetPatient($id: ID!) { patient(id: $id) { id summary } }',
  PatientVitals: 'query PatientVitals($id: ID!) { patient(id: $id) { id vitals } }',
};

const REQUESTS: Array<{ label: string; operation: keyof typeof QUERIES; patient: string; token: string }> = [
  { label: 'hospital_b, GetPatient ok', operation: 'GetPatient', patient: 'p-1', token: 'token-hospital-b' },
  { label: 'hospital_b, GetPatient ok', operation: 'GetPatient', patient: 'p-2', token: 'token-hospital-b' },
  { label: 'hospital_b, GetPatient, backend fails', operation: 'GetPatient', patient: 'p-fail', token: 'token-hospital-b' },
  { label: 'hospital_b, GetPatient, slow backend', operation: 'GetPatient', patient: 'p-slow', token: 'token-hospital-b' },
  { label: 'hospital_b, PatientVitals ok', operation: 'PatientVitals', patient: 'p-4', token: 'token-hospital-b' },
  { label: 'hospital_a (allow-listed), GetPatient ok', operation: 'GetPatient', patient: 'p-3', token: 'token-hospital-a' },
];

function durationMs(spans: OtlpSpan[]): number {
  if (spans.length === 0) return 0;
  const starts = spans.map((span) => BigInt(span.startTimeUnixNano ?? 0));
  const ends = spans.map((span) => BigInt(span.endTimeUnixNano ?? 0));
  return Number(ends.reduce((a, b) => (b > a ? b : a)) - starts.reduce((a, b) => (b < a ? b : a))) / 1e6;
}

function reasonsFor(spans: OtlpSpan[]): string[] {
  const reasons: string[] = [];
  if (spans.some((span) => span.status.code === 2)) reasons.push('error');
  const duration = durationMs(spans);
  if (duration >= SLOW_MS) reasons.push(`slow (${duration.toFixed(0)} ms)`);
  if (spans.some((span) => span.attributes['tenant.id'] === ALLOWED)) reasons.push('allow-listed tenant');
  return reasons;
}

async function send(stack: TracedStack, viaKotlin: boolean, request: (typeof REQUESTS)[number], token = request.token): Promise<string> {
  const traceId = crypto.getRandomValues(new Uint8Array(16)).reduce((hex, b) => hex + b.toString(16).padStart(2, '0'), '');
  const bff = viaKotlin ? stack.bffViaKotlin! : stack.bffViaNode;
  await fetch(bff.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    body: JSON.stringify({ query: QUERIES[request.operation], variables: { id: request.patient }, operationName: request.operation }),
  }).then((response) => response.text());
  return traceId;
}

/** Runs the demo and returns what it printed as data. */
export async function runCollectorDemo(options: CollectorDemoOptions = {}): Promise<CollectorDemoResult> {
  const log = options.log ?? console.log;
  const kotlin = options.kotlin ?? jvmFixtureAvailable();
  // service.yaml as deployed, except timings shortened so the demo ends in seconds.
  const overrides = { DECISION_WAIT: `${DECISION_WAIT_MS}ms`, SLOW_THRESHOLD_MS: String(SLOW_MS), SAMPLED_TENANTS: `[${ALLOWED}]`, SPANMETRICS_FLUSH_INTERVAL: '1s', SELF_METRICS_INTERVAL_MS: String(SELF_METRICS_INTERVAL_MS) };
  const startedAtMs = Date.now();
  const platform = await startDemoPlatform([NODE_SA, KOTLIN_SA], overrides);
  const { service, telemetry, issuer } = platform;
  const audience = service.frontEnd.serviceUrls.deterministic;
  const metadata = await startFakeMetadataServer({ issuer, projectId: DEMO_PROJECT, serviceAccountEmail: NODE_SA });
  const restoreEnv = applyEnv(metadata.env());
  const headers = googleIdTokenHeaders({ audience });
  let stack: TracedStack | undefined;
  try {
    const now = Math.floor(Date.now() / 1000);
    stack = await startTracedStack({
      collectorUrl: service.frontEnd.url,
      headers,
      kotlin,
      // The Java agent takes static headers here: a token for the collector's URL, as its service account.
      kotlinHeaders: { authorization: `Bearer ${issuer.sign({ aud: audience, email: KOTLIN_SA, sub: KOTLIN_SA, iat: now, exp: now + 3600 })}` },
      operationNames: Object.keys(QUERIES),
    });
    log(`image ${service.image.digest} (${service.image.config.Entrypoint!.join(' ')} ${service.image.config.Cmd!.join(' ')}), user ${service.image.config.User}, deployed from collector/deploy/service.yaml; demo timings: ${Object.entries(overrides).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    log(`front end ${audience}: invokers ${NODE_SA}, ${KOTLIN_SA}; ID tokens from a loopback metadata server`);
    log(`collector: tail_sampling (keep errors, traces >= ${SLOW_MS} ms, tenant ${ALLOWED}) -> Google's Telemetry API as ${platform.collectorMetadata.serviceAccountEmail} (loopback)`);
    log(`services: BFF -> Node backend${kotlin ? ' -> Kotlin backend, and BFF -> Kotlin backend -> Node backend' : ''}\n`);
    // One unprinted request per route first, without a token (tenant "none", left out of the table): a cold JIT or JVM makes the first one slow.
    for (const viaKotlin of kotlin ? [false, true] : [false]) await send(stack, viaKotlin, REQUESTS[0]!, 'no-token');
    const sent: { label: string; traceId: string }[] = [];
    for (const viaKotlin of kotlin ? [false, true] : [false]) {
      for (const request of REQUESTS) {
        if (viaKotlin && request.patient === 'p-slow') continue; // only the Node backend is slow
        sent.push({ label: `${request.label}${viaKotlin ? ' (via Kotlin)' : ''}`, traceId: await send(stack, viaKotlin, request) });
      }
    }
    // A service whose account holds no roles/run.invoker tries to export too.
    const intruder = issuer.sign({ aud: audience, email: INTRUDER_SA, sub: INTRUDER_SA, iat: now, exp: now + 3600 });
    await fetch(`${service.frontEnd.url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${intruder}`, 'content-type': 'application/json' }, body: '{"resourceSpans":[]}' }).then((r) => r.text());
    await stack.flush();
    await new Promise((resolve) => setTimeout(resolve, DECISION_WAIT_MS + 2_500)); // the agent exports every 200 ms; then the decision
    const produced = byTrace(stack.produced());
    const kept = new Map<string, number>();
    for (const span of telemetry.spans) kept.set(span.traceId, (kept.get(span.traceId) ?? 0) + 1);
    const hops = hopLines(service.frontEnd.requests);
    log('each export: service -> Cloud Run front end -> collector');
    for (const line of hops) log(`  ${line}`);
    log(`collector -> Google (Telemetry API): ${telemetry.requests.filter((r) => r.path === '/v1/traces' && r.status === 200).length} trace writes, ${telemetry.requests.filter((r) => r.path === '/v1/metrics' && r.status === 200).length} metric writes accepted, as ${platform.collectorMetadata.serviceAccountEmail}\n`);
    const results = sent.map(({ label, traceId }): DemoTrace => {
      const spans = produced.get(traceId) ?? [];
      return { label, traceId, spansProduced: spans.length, spansKept: kept.get(traceId) ?? 0, durationMs: durationMs(spans), reasons: reasonsFor(spans) };
    });
    for (const r of results) {
      const verdict = r.spansKept > 0 ? `KEPT    ${r.spansKept}/${r.spansProduced} spans at Google, because: ${r.reasons.join(', ')}` : `dropped (${r.spansProduced} spans)`;
      log(`${r.traceId}  ${r.label.padEnd(54)} ${verdict}`);
    }
    const keptCount = results.filter((r) => r.spansKept > 0).length;
    log(`\nkept ${keptCount} of ${results.length} traces; the token was fetched ${metadata.fetchCount(audience)} time(s) for all exports`);
    const slis = await readSlis(platform, stack.produced().length);
    log(`\nper hospital, from the span metrics Google received (EVERY span, before sampling); SERVER spans; p95 = upper bound of the histogram bucket it falls in:`);
    for (const line of formatSliTable(slis)) log(line);
    const health = await readHealth(platform, stack.produced().length, results.length + (kotlin ? 2 : 1), startedAtMs);
    log('');
    for (const line of formatCollectorHealth(health)) log(line);
    return { traces: results, slis, hops, health };
  } finally {
    await stack?.stop();
    headers.shutdown();
    restoreEnv();
    await metadata.close();
    await platform.stop();
  }
}

/** Waits until the span metrics Google received count every span produced (flushed every second here), then reads the table. */
async function readSlis(platform: DemoPlatform, spansProduced: number): Promise<HospitalSliRow[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const series = seriesFromGoogle(platform.telemetry.points);
    const counted = series.filter((s) => s.metric.endsWith('.calls')).reduce((n, s) => n + s.count, 0);
    if (counted >= spansProduced || Date.now() > deadline) return hospitalSlis(series);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Waits until the collector's self-metrics account for every span received and every trace decided, then reads its health. */
async function readHealth(platform: DemoPlatform, spansProduced: number, traces: number, fromMs: number): Promise<CollectorHealth> {
  const deadline = Date.now() + 15_000;
  const timeScale = 30_000 / SELF_METRICS_INTERVAL_MS;
  for (;;) {
    const health = collectorHealth(platform.telemetry.points, { fromMs, timeScale });
    if ((health.spansReceived >= spansProduced && health.tracesKept + health.tracesDropped >= traces) || Date.now() > deadline) return health;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
