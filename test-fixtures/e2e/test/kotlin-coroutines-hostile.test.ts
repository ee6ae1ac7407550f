// Issue 14, item 4: hostile input at the public edge, through the BFF, into the
// grpc-kotlin service under the Java agent. What the JVM does with raw hostile
// baggage (measured against this fixture under Java agent 2.31.1; grpc-java's
// default inbound metadata limit is 8 KiB, NettyServerBuilder.maxInboundMetadataSize,
// https://grpc.github.io/grpc-java/javadoc/io/grpc/netty/NettyServerBuilder.html):
// 431 and connection resets above 8 KiB
// of metadata, only the first 64 members kept, last-wins duplicates, a new trace
// but the baggage kept for a malformed traceparent, a WARN with a stack trace per
// invalid member. None of that may be reachable through the BFF.
import * as grpc from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import { createServiceTelemetry, startBff, startNodeBackend, type Bff, type NodeBackend } from '@tracehop/fixture-bff';
import { traceTree } from '@tracehop/doctor/testing';
import { loadEcho, type EchoMessage } from '@tracehop/fixture-proto';
import { startKotlinServer, traceIdOf, type KotlinObservation, type KotlinServer } from '@tracehop/fixture-kotlin-backend';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { allLogs, allSpans, eventually, fromOtlpSpan, newTraceparent, useAsyncContext } from './harness.js';
import { postQuery } from './http-client.js';
import { DOWNSTREAM_STEPS, SAY_STEPS, expectStepSaw, saySpans } from './kotlin-coroutines-steps.js';

useAsyncContext();
const bffTelemetry = createServiceTelemetry('bff');
const nodeTelemetry = createServiceTelemetry('node-backend');
let kotlin: KotlinServer;
let nodeBackend: NodeBackend;
/** The public edge as shipped: W3C trace context, no inbound baggage. */
let defaultEdge: Bff;
/** An edge that accepts every inbound baggage entry (except the tenant namespace): the most client input goes on to Kotlin. */
let permissiveEdge: Bff;
/** The control for the size test: the same edge with the gRPC client's baggage cap raised to the W3C maximum. */
let wideEdge: Bff;

beforeAll(async () => {
  [kotlin, nodeBackend] = await Promise.all([startKotlinServer({ implementation: 'coroutine' }), startNodeBackend(nodeTelemetry)]);
  const common = { telemetry: bffTelemetry, backendAddress: kotlin.address, forwardTo: nodeBackend.address };
  [defaultEdge, permissiveEdge, wideEdge] = await Promise.all([
    startBff(common),
    startBff({ ...common, acceptBaggage: true }),
    startBff({ ...common, acceptBaggage: true, clientOptions: { baggageLimits: { maxBytes: 8192 } } }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([defaultEdge?.stop(), permissiveEdge?.stop(), wideEdge?.stop()]);
  await Promise.all([kotlin?.stop(), nodeBackend?.stop()]);
});
beforeEach(() => {
  bffTelemetry.reset();
  nodeTelemetry.reset();
});

const TOKEN_B = 'Bearer token-hospital-b';
/** The baggage byte cap of @tracehop/grpc's client interceptor (its default; grpc-java's metadata limit is 8 KiB in total). */
const TRACEHOP_BAGGAGE_MAX_BYTES = 4096;

interface Answer {
  status: number;
  summary?: KotlinObservation;
  vitals?: KotlinObservation[];
  errors?: unknown;
}

async function ask(edge: Bff, headers: Record<string, string | string[]>, fields = 'summary', patientId = 'p-400'): Promise<Answer> {
  const response = await postQuery(edge.url, `{ patient(id: "${patientId}") { ${fields} } }`, headers, { timeoutMs: 15_000 });
  if (response.status !== 200) return { status: response.status };
  const body = JSON.parse(response.body) as { data?: { patient?: { summary?: string; vitals?: string[] } }; errors?: unknown };
  const patient = body.data?.patient;
  return {
    status: response.status,
    ...(body.errors === undefined ? {} : { errors: body.errors }),
    ...(patient?.summary === undefined ? {} : { summary: JSON.parse(patient.summary) as KotlinObservation }),
    ...(patient?.vitals === undefined ? {} : { vitals: patient.vitals.map((v) => JSON.parse(v) as KotlinObservation) }),
  };
}

/** The W3C size of a baggage map as a header (what the BFF put on the wire, entries re-encoded). */
function baggageBytes(baggage: Record<string, string>): number {
  return Object.entries(baggage)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join(',').length;
}

/** Lines the JVM printed on stderr about baggage (the W3C propagator's WARN and its stack trace). */
const baggageWarnings = () => kotlin.rawStderr().filter((line) => /baggage/i.test(line));

// ~8 KB of inbound baggage (under node:http's 16 KiB header limit).
const BIG_BAGGAGE = Array.from({ length: 64 }, (_, i) => `k${String(i).padStart(2, '0')}=${'v'.repeat(120)}`).join(',');

test('the largest baggage tracehop sends reaches Kotlin whole: no 431, and no other stream on the channel is reset', async () => {
  // The BFF trims the inbound 8 KB to its gRPC client's 4096-byte cap.
  const bigHeaders = () => ({ traceparent: newTraceparent().header, authorization: TOKEN_B, baggage: BIG_BAGGAGE });
  const plainHeaders = () => ({ traceparent: newTraceparent().header, authorization: TOKEN_B });
  // Big and small calls, unary and streaming, all in flight together on the BFF's one channel to Kotlin.
  const answers = await Promise.all([
    ...Array.from({ length: 4 }, () => ask(permissiveEdge, bigHeaders())),
    ...Array.from({ length: 3 }, () => ask(permissiveEdge, bigHeaders(), 'vitals')),
    ...Array.from({ length: 3 }, () => ask(permissiveEdge, plainHeaders(), 'summary vitals')),
  ]);
  for (const answer of answers) {
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
  }
  for (const answer of answers.slice(0, 4)) {
    const { baggage, steps } = answer.summary!;
    // As large as tracehop sends: within one member of its cap, the tenant intact
    // (Java's Baggage.asMap() is sorted by key, so the wire order is not visible here).
    expect(baggageBytes(baggage)).toBeLessThanOrEqual(TRACEHOP_BAGGAGE_MAX_BYTES);
    expect(baggageBytes(baggage)).toBeGreaterThan(TRACEHOP_BAGGAGE_MAX_BYTES - 130);
    expect(baggage['tenant.id']).toBe('hospital_b');
    expect(steps!.map((s) => s.step)).toEqual([...SAY_STEPS]);
    for (const step of steps!) expect(step.tenant).toBe('hospital_b');
  }
  for (const answer of answers.slice(4)) {
    expect(answer.vitals).toHaveLength(3);
    for (const emit of answer.vitals!) expect(emit.step!.tenant).toBe('hospital_b');
  }
  expect(baggageWarnings()).toEqual([]);
}, 60_000);

test('the control: the same baggage under the W3C cap (8192 bytes) is over grpc-java\'s 8 KiB metadata limit and fails the call', async () => {
  const answer = await ask(wideEdge, { traceparent: newTraceparent().header, authorization: TOKEN_B, baggage: BIG_BAGGAGE });
  expect(answer.status).toBe(200);
  expect(answer.errors).toBeDefined();
  const failed = bffTelemetry.spans().find((s) => s.kind === SpanKind.CLIENT)!;
  // grpc-java answered the HEADERS frame with HTTP 431; the handler never ran.
  expect(failed.status.message).toBe('Received HTTP status code 431');
  expect(failed.attributes['rpc.grpc.status_code']).toBe(grpc.status.UNKNOWN);
  // The default cap keeps the BFF usable: the next call through it succeeds.
  const next = await ask(permissiveEdge, { traceparent: newTraceparent().header, authorization: TOKEN_B, baggage: BIG_BAGGAGE });
  expect(next.errors).toBeUndefined();
}, 30_000);

const SPOOFS: Record<string, string> = {
  duplicated: 'tenant.id=evil,tenant.id=evil2',
  'percent-encoded key': 'tenant%2Eid=evil,TENANT.ID=evil',
  'percent-encoded value': 'tenant.id=%65vil,other=kept',
  'past the 64th member': [...Array.from({ length: 69 }, (_, i) => `m${i}=v`), 'tenant.id=evil'].join(','),
  'first of 100 members': ['tenant.id=evil', ...Array.from({ length: 99 }, (_, i) => `m${i}=v`)].join(','),
};

test.each(Object.entries(SPOOFS))('a client-supplied tenant.id (%s) never reaches a Kotlin span, log line or reply', async (_name, baggage) => {
  for (const [edge, authorization, tenant] of [
    [permissiveEdge, TOKEN_B, 'hospital_b'],
    [permissiveEdge, undefined, null],
    [defaultEdge, TOKEN_B, 'hospital_b'],
  ] as const) {
    const incoming = newTraceparent();
    const answer = await ask(edge, { traceparent: incoming.header, baggage, ...(authorization ? { authorization } : {}) });
    expect(answer.status).toBe(200);
    const seen = answer.summary!;
    expect(seen.baggage['tenant.id'] ?? null).toBe(tenant);
    const { server, clients } = await saySpans(kotlin, incoming.traceId);
    for (const step of seen.steps!) expectStepSaw(step, { traceId: incoming.traceId, spanId: server.spanId, tenant, patientId: 'p-400' });
    for (const span of [server, ...clients]) expect(span.attributes['tenant.id'] ?? null).toBe(tenant);
    const lines = kotlin.logs().filter((l) => traceIdOf(l) === incoming.traceId);
    expect(lines).toHaveLength(SAY_STEPS.length);
    for (const line of lines) expect(line['tenant.id'] ?? null).toBe(tenant);
    const downstream = [...allSpans(nodeTelemetry), ...allLogs(nodeTelemetry)];
    expect(JSON.stringify([seen, server, clients, lines, downstream])).not.toMatch(/evil|%65vil/);
  }
  expect(baggageWarnings()).toEqual([]);
}, 60_000);

test.each([
  ['not hex', `00-${'z'.repeat(32)}-${'b'.repeat(16)}-01`],
  ['all-zero trace ID', `00-${'0'.repeat(32)}-${'b'.repeat(16)}-01`],
  ['version ff', `ff-${'a'.repeat(32)}-${'b'.repeat(16)}-01`],
  ['two values', [`00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`]],
])('a malformed traceparent (%s) gives exactly one BFF-rooted trace through Kotlin and Node', async (_name, traceparent) => {
  // Let the agent export what earlier tests left in its batch (it exports 100 ms after a span ends),
  // so every span counted below is this request's.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const kotlinBefore = kotlin.spans().length;
  const answer = await ask(defaultEdge, { traceparent, authorization: TOKEN_B, baggage: 'tenant.id=evil' });
  expect(answer.status).toBe(200);
  const operation = allSpans(bffTelemetry).find((s) => s.kind === 'SERVER')!;
  expect(operation.parentSpanId).toBeUndefined();
  const traceId = operation.traceId;
  expect(JSON.stringify(traceparent)).not.toContain(traceId);
  expect(answer.summary!.traceId).toBe(traceId);

  const { server } = await saySpans(kotlin, traceId);
  for (const step of answer.summary!.steps!) expectStepSaw(step, { traceId, spanId: server.spanId, tenant: 'hospital_b', patientId: 'p-400' });
  // Every span this request produced, in every service: one trace, one root (the BFF's), no orphans.
  await eventually(() => kotlin.spans().length - kotlinBefore >= 1 + DOWNSTREAM_STEPS.length);
  const kotlinSpans = kotlin.spans().slice(kotlinBefore).map(fromOtlpSpan);
  const spans = [...allSpans(bffTelemetry, nodeTelemetry), ...kotlinSpans];
  expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
  const tree = traceTree(spans);
  expect(tree.roots).toEqual([operation]);
  expect(tree.orphans).toEqual([]);
  expect(spans).toHaveLength(2 + 1 + DOWNSTREAM_STEPS.length * 2);
});

/** Baggage a caller may put at the edge that the JVM's W3C parser rejects (each rejected member: a WARN and a stack trace). */
const INVALID_FOR_JAVA = ['k=%ZZ', 'k=%E2%82', '%ZZ=v', 'tenant.id=%ZZ', `k=${'%'.repeat(50)}`, 'k=a b', 'k="q"', 'k=\u00e9', 'k=v%2Cw', 'k=%25ZZ'];
/** The same, in a member's properties: W3C-valid tokens (`%` is a token character) that Java percent-decodes. */
const INVALID_PROPERTIES_FOR_JAVA = ['k=v;%ZZ', 'k=v;p=%ZZ'];

async function sendThroughEdges(values: readonly string[], edges: readonly Bff[]): Promise<void> {
  for (const baggage of values) {
    for (const edge of edges) {
      const answer = await ask(edge, { traceparent: newTraceparent().header, authorization: TOKEN_B, baggage }, 'summary vitals');
      expect(answer.status, baggage).toBe(200);
      expect(answer.errors, baggage).toBeUndefined();
    }
  }
  // Kotlin extracts the baggage before the handler replies: a WARN would already be on stderr.
  await new Promise((resolve) => setTimeout(resolve, 300));
}

test('no "invalid baggage member" WARN in Kotlin from anything the BFF forwarded, while the same bytes sent straight to Kotlin do log one', async () => {
  await sendThroughEdges(INVALID_FOR_JAVA, [permissiveEdge, defaultEdge]);
  await sendThroughEdges(INVALID_PROPERTIES_FOR_JAVA, [defaultEdge]);
  expect(baggageWarnings()).toEqual([]);

  // The control: the first value above, sent without tracehop, makes the JVM warn, so the check above can fail.
  const { Echo } = loadEcho(grpc);
  const raw = new Echo(kotlin.address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('baggage', `a=1,${INVALID_FOR_JAVA[0]!}`);
  const reply = await new Promise<EchoMessage>((resolve, reject) =>
    raw.say({ value: '{}' }, metadata, (error, value) => (error ? reject(error) : resolve(value!))),
  );
  raw.close();
  await eventually(() => baggageWarnings().length > 0, 5_000);
  expect(baggageWarnings()[0]).toMatch(/WARN .*baggage\.propagation\.Parser - Skipping invalid baggage member/);
  // The whole member is gone on the Java side; the valid one stays.
  expect((JSON.parse(reply.value) as KotlinObservation).baggage).toEqual({ a: '1' });
});

// Found here: a property holding an invalid percent-escape is W3C-valid (`%` is a token character),
// but Java percent-decodes properties, warns with a stack trace and drops the whole member. Only an
// edge with acceptBaggage forwards client properties; @tracehop/core now drops such a member.
test('an invalid percent-escape in a forwarded baggage property never reaches Kotlin (acceptBaggage edge)', async () => {
  const before = baggageWarnings().length;
  await sendThroughEdges(INVALID_PROPERTIES_FOR_JAVA, [permissiveEdge]);
  expect(baggageWarnings().slice(before)).toEqual([]);
});
