// Issue 7, item 3: no context bleed under load. 20,000 GraphQL requests at
// concurrency 64 over real HTTP into the BFF (Yoga + useTraceContext + tenant
// from auth), each making a unary and a server-streaming gRPC call into the
// Node backend. Every request brings its own traceparent and bearer token; some
// also send a spoofed tenant in baggage. Each span and each log line is checked
// the moment it is finished or written (telemetry with `retain: false`), so
// nothing is kept but counters, and the heap after the run can be compared with
// the heap before it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createServiceTelemetry, startBff, startNodeBackend, type HandlerObservation, type LogLine } from '@tracehop/fixture-bff';
import { afterAll, expect, test } from 'vitest';
import { eventually, randomHex, useAsyncContext } from './harness.js';
import { keepAliveAgent, postQuery, runConcurrently } from './http-client.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const WARM_UP = 1_000;
const REQUESTS = 20_000;
const CONCURRENCY = 64;
const SPANS_PER_REQUEST = 5; // BFF operation + 2 x (BFF client + backend server)
const LOGS_PER_REQUEST = 5; // BFF resolver 1, backend Say 1, backend Stream 3
/**
 * Heap growth allowed across the 20,000 measured requests, after forced GC.
 * 8 MiB is 420 bytes per request: keeping any one span (a ReadableSpan with
 * its attributes is over 1 KiB), any OTel Context, any per-request closure or
 * the request's headers alive would exceed it several times over, while one-off
 * growth (JIT, Yoga's and grpc-js's caches, pino's buffers) stays well below.
 */
const HEAP_GROWTH_BOUND = 8 * 1024 * 1024;

// Every request's trace ID is RUN_TAG + its index, so a span or line names its
// request without any lookup table that would itself grow with the run.
const RUN_TAG = `a${randomHex(23)}`;
const traceIdOf = (i: number) => RUN_TAG + i.toString(16).padStart(8, '0');
const parentIdOf = (i: number) => `b${scrambledHex(i)}`;
const requestOf = (traceId: unknown): number =>
  typeof traceId === 'string' && traceId.length === 32 && traceId.startsWith(RUN_TAG) ? parseInt(traceId.slice(24), 16) : -1;
const tenantOf = (i: number) => (i % 2 ? 'hospital_a' : 'hospital_b');
const otherTenantOf = (i: number) => (i % 2 ? 'hospital_b' : 'hospital_a');
/** Every fifth request also claims the other tenant in baggage, in one of a few spellings. */
const spoofOf = (i: number): string | undefined => {
  if (i % 5 !== 0) return undefined;
  const other = otherTenantOf(i);
  return [`tenant.id=${other}`, `tenant.id=${other};p=1,k=v`, `k=v,tenant.id=${other}`][(i / 5) % 3];
};
function scrambledHex(i: number): string {
  return (i * 2654435761 >>> 0).toString(16).padStart(15, '0').slice(-15);
}

const TOTAL = WARM_UP + REQUESTS;
const spansSeen = new Uint8Array(TOTAL);
const linesSeen = new Uint8Array(TOTAL);
let spanTotal = 0;
let lineTotal = 0;
let mismatchCount = 0;
const mismatchExamples: string[] = [];
function mismatch(what: string): void {
  mismatchCount++;
  if (mismatchExamples.length < 10) mismatchExamples.push(what);
}

function checkSpan(service: string, span: ReadableSpan): void {
  spanTotal++;
  const { traceId } = span.spanContext();
  const i = requestOf(traceId);
  const tenant = span.attributes['tenant.id'];
  if (i < 0 || i >= TOTAL) return mismatch(`${service} span ${span.name}: trace ${traceId} is no request's`);
  if (tenant !== tenantOf(i)) return mismatch(`${service} span ${span.name} of request ${i}: tenant ${String(tenant)}, expected ${tenantOf(i)}`);
  if (service === 'bff' && span.kind === SpanKind.SERVER && span.parentSpanContext?.spanId !== parentIdOf(i)) {
    return mismatch(`operation span of request ${i}: parent ${span.parentSpanContext?.spanId}, expected ${parentIdOf(i)}`);
  }
  spansSeen[i]!++;
}

function checkLine(line: LogLine): void {
  lineTotal++;
  const i = requestOf(line.trace_id);
  if (i < 0 || i >= TOTAL) return mismatch(`${line.service} line "${line.msg}": trace ${String(line.trace_id)} is no request's`);
  if (line['tenant.id'] !== tenantOf(i)) return mismatch(`${line.service} line "${line.msg}" of request ${i}: tenant ${String(line['tenant.id'])}`);
  if (typeof line.span_id !== 'string' || !/^[0-9a-f]{16}$/.test(line.span_id)) return mismatch(`line of request ${i} without span_id`);
  linesSeen[i]!++;
}

function checkObservation(i: number, where: string, observation: HandlerObservation): void {
  if (observation.traceId !== traceIdOf(i)) mismatch(`backend ${where} of request ${i} ran in trace ${observation.traceId}`);
  else if (observation.baggage['tenant.id'] !== tenantOf(i)) mismatch(`backend ${where} of request ${i} saw tenant ${observation.baggage['tenant.id']}`);
}

useAsyncContext();
const bffTelemetry = createServiceTelemetry('bff', { retain: false, onSpan: (span) => checkSpan('bff', span), onLog: checkLine });
const backendTelemetry = createServiceTelemetry('node-backend', {
  retain: false,
  onSpan: (span) => checkSpan('node-backend', span),
  onLog: checkLine,
});
const backend = await startNodeBackend(backendTelemetry);
const bff = await startBff({ telemetry: bffTelemetry, backendAddress: backend.address });
const agent = keepAliveAgent(CONCURRENCY);
afterAll(async () => {
  agent.destroy();
  await bff.stop();
  await backend.stop();
});

const QUERY = '{ patient(id: "p-1") { id summary vitals } }';
let failedRequests = 0;

async function oneRequest(i: number): Promise<void> {
  const spoof = spoofOf(i);
  const response = await postQuery(
    bff.url,
    QUERY,
    {
      traceparent: `00-${traceIdOf(i)}-${parentIdOf(i)}-01`,
      authorization: `Bearer token-${tenantOf(i).replace('_', '-')}`,
      ...(spoof ? { baggage: spoof } : {}),
    },
    { agent, timeoutMs: 30_000 },
  );
  const body = JSON.parse(response.body) as { data?: { patient?: { summary: string; vitals: string[] } }; errors?: unknown[] };
  const patient = body.data?.patient;
  if (response.status !== 200 || body.errors || !patient || patient.vitals.length !== 3) {
    failedRequests++;
    return mismatch(`request ${i} failed: ${response.status} ${response.body.slice(0, 200)}`);
  }
  checkObservation(i, 'Say', JSON.parse(patient.summary) as HandlerObservation);
  for (const vital of patient.vitals) checkObservation(i, 'Stream', JSON.parse(vital) as HandlerObservation);
}

/** Waits for the telemetry of requests [0, upTo) (server spans may end just after the response). */
async function settled(upTo: number): Promise<void> {
  await eventually(() => spanTotal >= upTo * SPANS_PER_REQUEST && lineTotal >= upTo * LOGS_PER_REQUEST, 10_000);
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

function heapAfterGc(): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

test(
  `${REQUESTS} requests at concurrency ${CONCURRENCY}: every span, log line and handler keeps its own trace and tenant; heap stays flat`,
  async () => {
    await runConcurrently(0, WARM_UP, CONCURRENCY, oneRequest);
    await settled(WARM_UP);
    const heapBefore = heapAfterGc();

    const started = performance.now();
    await runConcurrently(WARM_UP, TOTAL, CONCURRENCY, oneRequest);
    const elapsedMs = performance.now() - started;
    await settled(TOTAL);
    const heapAfter = heapAfterGc();

    const growth = heapAfter - heapBefore;
    console.info(
      `[load] ${REQUESTS} requests at concurrency ${CONCURRENCY} in ${(elapsedMs / 1000).toFixed(1)} s ` +
        `(${Math.round(REQUESTS / (elapsedMs / 1000))} req/s); ${spanTotal} spans, ${lineTotal} log lines checked; ` +
        `heap ${(heapBefore / 2 ** 20).toFixed(1)} MiB -> ${(heapAfter / 2 ** 20).toFixed(1)} MiB (${(growth / 2 ** 20).toFixed(2)} MiB, ` +
        `${Math.round(growth / REQUESTS)} B/request; bound ${HEAP_GROWTH_BOUND / 2 ** 20} MiB)`,
    );

    expect(failedRequests).toBe(0);
    expect({ mismatchCount, mismatchExamples }).toEqual({ mismatchCount: 0, mismatchExamples: [] });
    // Exactly the expected telemetry per request: none lost, none counted twice under another request.
    expect(spanTotal).toBe(TOTAL * SPANS_PER_REQUEST);
    expect(lineTotal).toBe(TOTAL * LOGS_PER_REQUEST);
    const wrongCounts = [...spansSeen.keys()].filter((i) => spansSeen[i] !== SPANS_PER_REQUEST || linesSeen[i] !== LOGS_PER_REQUEST);
    expect(wrongCounts.slice(0, 10)).toEqual([]);
    expect(growth).toBeLessThan(HEAP_GROWTH_BOUND);
  },
  180_000,
);
