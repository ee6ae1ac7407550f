// Per-hospital SLIs from span metrics computed BEFORE tail sampling: a known
// mix per hospital and operation (two named GraphQL operations, the gRPC
// methods they call, errors, slow calls) through the BFF into the Node and the
// Kotlin backend (Java agent), while tail sampling drops most traces. The
// request, error and latency-bucket counts per hospital and operation must
// equal what was sent, exactly.
import { randomBytes } from 'node:crypto';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { byTrace, mergeBuckets, quantileUpperBound, readSpanFile, readSpanMetrics, splitAt, startSingleTier, startTracedStack, type LoopbackCollector, type TracedStack } from '../src/index.js';
import { buildMix, expectedRows, HOSPITAL_TOKENS, OPERATIONS, patientFor, rowKey, type ExpectedRow, type MixRequest } from './hospital-mix.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const SLOW_DELAY_MS = 1_800; // far above the 1 s bucket bound; fast calls take a few ms
const BOUND_MS = 1_000;
const DECISION_WAIT_MS = 1_000;
let collector: LoopbackCollector;
let stack: TracedStack;

beforeAll(async () => {
  // The production policies: errors, slow (1 s), no allow-listed tenant.
  collector = await startSingleTier({ decisionWait: `${DECISION_WAIT_MS}ms`, slowThresholdMs: BOUND_MS, sampledTenants: [] });
  const token = collector.token();
  stack = await startTracedStack({
    collectorUrl: collector.otlpHttpUrl,
    headers: { authorization: `Bearer ${token}` },
    kotlinHeaders: { authorization: `Bearer ${token}` },
    slowPatients: { 'p-slow': SLOW_DELAY_MS },
    operationNames: Object.keys(OPERATIONS),
  });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await collector?.stop();
});

async function send(request: MixRequest, i: number, token?: string): Promise<string> {
  const traceId = randomBytes(16).toString('hex');
  const bff = request.route === 'via node' ? stack.bffViaNode : stack.bffViaKotlin!;
  const response = await fetch(bff.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query: OPERATIONS[request.operation].query, variables: { id: patientFor(request.outcome, i) }, operationName: request.operation }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  expect(response.status).toBe(200);
  expect(body.errors !== undefined, JSON.stringify(body)).toBe(request.outcome === 'error' && request.operation === 'GetPatient');
  return traceId;
}

/** The SERVER-span rows span metrics show for the two hospitals: calls and errors from `.calls`, the 1 s split from `.duration`. */
async function actualRows(): Promise<Map<string, ExpectedRow>> {
  const rows = new Map<string, ExpectedRow>();
  for (const series of await readSpanMetrics(collector.metricsFile)) {
    const a = series.attributes;
    if (a['span.kind'] !== 'SPAN_KIND_SERVER' || !(String(a['tenant.id']) in HOSPITAL_TOKENS)) continue;
    const key = rowKey(String(a['service.name']), a['tenant.id'], a['graphql.operation.name'] ?? a['rpc.method']);
    const row = rows.get(key) ?? { calls: 0, errors: 0, fast: 0, slow: 0 };
    if (series.metric.endsWith('.calls')) {
      row.calls += series.count;
      if (a['status.code'] === 'STATUS_CODE_ERROR') row.errors += series.count;
    } else if (series.metric.endsWith('.duration')) {
      const { atOrBelow, above } = splitAt(series, BOUND_MS);
      row.fast += atOrBelow;
      row.slow += above;
    }
    rows.set(key, row);
  }
  return rows;
}

const sorted = (rows: Map<string, ExpectedRow>) => Object.fromEntries([...rows].sort(([a], [b]) => a.localeCompare(b)));

test('requests, errors and latency buckets per hospital and operation equal the mix sent, while sampling keeps only errors and slow traces', async () => {
  // Warm-up without a token (tenant "none", not counted below): a cold JVM or JIT is slow for real.
  for (const route of ['via node', 'via kotlin'] as const)
    for (const operation of ['GetPatient', 'PatientVitals'] as const) for (let i = 0; i < 4; i++) await send({ hospital: 'hospital_a', operation, route, outcome: 'ok' }, i);

  const mix = buildMix([
    ['hospital_a', 'GetPatient', 'ok', 9],
    ['hospital_a', 'GetPatient', 'error', 1],
    ['hospital_a', 'GetPatient', 'slow', 1, 'via node'],
    ['hospital_a', 'PatientVitals', 'ok', 5],
    ['hospital_b', 'GetPatient', 'ok', 14],
    ['hospital_b', 'GetPatient', 'error', 3],
    ['hospital_b', 'GetPatient', 'slow', 2, 'via node'],
    ['hospital_b', 'PatientVitals', 'ok', 3],
  ]);
  // The slow requests run alongside the others (each waits 1.8 s); the rest one at a time.
  const slow = mix.filter((r) => r.outcome === 'slow');
  const started = Date.now();
  const slowIds = Promise.all(slow.map((r, i) => send(r, i, HOSPITAL_TOKENS[r.hospital])));
  const otherIds: string[] = [];
  for (const [i, r] of mix.filter((x) => x.outcome !== 'slow').entries()) otherIds.push(await send(r, i, HOSPITAL_TOKENS[r.hospital]));
  const traceIds = [...(await slowIds), ...otherIds];
  const sent = [...slow, ...mix.filter((x) => x.outcome !== 'slow')];
  const elapsed = Date.now() - started;

  const expected = expectedRows(mix);
  expect(await stack.flush()).toEqual([]);
  let actual = new Map<string, ExpectedRow>();
  const deadline = Date.now() + 15_000;
  do {
    await new Promise((resolve) => setTimeout(resolve, 500));
    actual = await actualRows();
  } while (JSON.stringify(sorted(actual)) !== JSON.stringify(sorted(expected)) && Date.now() < deadline);
  expect(sorted(actual)).toEqual(sorted(expected));

  // Tail sampling, meanwhile, kept only the error and slow traces: an SLI from them is wrong.
  await new Promise((resolve) => setTimeout(resolve, DECISION_WAIT_MS + 2_000));
  const kept = byTrace(await readSpanFile(collector.tracesFile));
  const keptIndexes = traceIds.flatMap((id, i) => (kept.has(id) ? [i] : []));
  const keptRequests = keptIndexes.map((i) => sent[i]!);
  const errorsSent = mix.filter((r) => r.outcome === 'error').length;
  const keptErrors = keptRequests.filter((r) => r.outcome === 'error').length;
  // p95 of the BFF's operations (both hospitals) as a bucket bound: from span metrics, and from the kept traces' share of slow ones.
  const bffDurations = mergeBuckets(
    (await readSpanMetrics(collector.metricsFile)).filter(
      (s) => s.metric.endsWith('.duration') && s.attributes['service.name'] === 'bff' && s.attributes['span.kind'] === 'SPAN_KIND_SERVER' && String(s.attributes['tenant.id']) in HOSPITAL_TOKENS,
    ),
  );
  const keptSlow = keptRequests.filter((r) => r.outcome === 'slow').length;
  const p95FromKept = keptSlow / Math.max(1, keptRequests.length) > 0.05 ? '> 1 s' : '<= 1 s';
  const bffCalls = [...expected].filter(([key]) => key.startsWith('bff |')).reduce((n, [, row]) => n + row.calls, 0);
  console.info(
    `[hospital SLIs] ${mix.length} requests in ${elapsed} ms, ${[...expected.values()].reduce((n, r) => n + r.calls, 0)} SERVER spans counted exactly in ${expected.size} rows; ` +
      `sampling kept ${kept.size} traces (${keptRequests.length} of the ${mix.length} requests): GraphQL error rate from span metrics ${((100 * errorsSent) / bffCalls).toFixed(1)} %, ` +
      `from kept traces ${((100 * keptErrors) / Math.max(1, keptRequests.length)).toFixed(1)} %; slow share ${((100 * slow.length) / mix.length).toFixed(1)} % vs ${((100 * keptSlow) / Math.max(1, keptRequests.length)).toFixed(1)} %; ` +
      `BFF p95 bucket <= ${quantileUpperBound(bffDurations.bounds, bffDurations.buckets, 0.95)} ms from span metrics, ${p95FromKept} from kept traces; ` +
      `hospital_a requests ${mix.filter((r) => r.hospital === 'hospital_a').length}, in kept traces ${keptRequests.filter((r) => r.hospital === 'hospital_a').length}`,
  );
  expect(new Set(keptRequests.map((r) => r.outcome))).toEqual(new Set(['error', 'slow']));
  expect(keptRequests.length).toBe(errorsSent + slow.length);
  expect(keptRequests.length * 4).toBeLessThan(mix.length);
}, 60_000);
