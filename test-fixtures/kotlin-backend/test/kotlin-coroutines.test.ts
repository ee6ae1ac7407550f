// The grpc-kotlin coroutine service and client under the OpenTelemetry Java agent,
// driven directly from Node (tracehop interceptors, real OTel SDK): the service's
// steps, its Flow stream, and the coroutine client. The end-to-end suites through
// the BFF are test-fixtures/e2e/test/kotlin-coroutines*.test.ts.
import { ROOT_CONTEXT, SpanKind, context } from '@opentelemetry/api';
import type { EchoClient, EchoMessage } from '@tracehop/fixture-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GCP_SPAN_ID_KEY, SpanKindNumber, parseKotlinReply, runKotlinClient, startKotlinServer, traceIdOf, type KotlinServer } from '../src/index.js';
import {
  createNodeClient,
  createTelemetry,
  parentOf,
  say,
  startNodeServer,
  useAsyncContext,
  withBaggage,
  type NodeEchoServer,
  type NodeObservation,
} from './support/node-peer.js';
import { requireJvmFixture } from './support/require-jvm.js';

useAsyncContext();
const jvmBuilt = requireJvmFixture();
const telemetry = createTelemetry();
let kotlin: KotlinServer;
let client: EchoClient;
let nodeServer: NodeEchoServer;

beforeAll(async () => {
  if (!jvmBuilt) return;
  [kotlin, nodeServer] = await Promise.all([startKotlinServer({ implementation: 'coroutine' }), startNodeServer(telemetry.provider)]);
  client = createNodeClient(kotlin.address, telemetry.provider);
}, 120_000);

afterAll(async () => {
  client?.close();
  await Promise.all([kotlin?.stop(), nodeServer?.close()]);
}, 30_000);

const ZERO_TRACE = '0'.repeat(32);

describe('grpc-kotlin service', () => {
  it('Say: every step (IO, pool, async fan-out, application scope, manual) sees the caller trace and tenant', async () => {
    const ctx = withBaggage({ 'tenant.id': 'hospital_a' }, ROOT_CONTEXT);
    const reply = parseKotlinReply(await say(client, { patientId: 'p-7', forwardTo: nodeServer.address }, ctx));
    const nodeClient = telemetry.spans().find((s) => s.kind === SpanKind.CLIENT)!;
    const traceId = nodeClient.spanContext().traceId;
    const [server] = await kotlin.waitForSpans((s) => s.traceId === traceId && s.kind === SpanKindNumber.SERVER);
    expect(server!.parentSpanId).toBe(nodeClient.spanContext().spanId);

    const steps = reply.steps!;
    expect(steps.map((s) => s.step)).toEqual(['entry', 'pool', 'io', 'fanout', 'fanout-pool', 'application-scope', 'manual']);
    for (const step of steps) {
      expect(step, step.step).toMatchObject({ traceId, spanId: server!.spanId, tenant: 'hospital_a', patientId: 'p-7' });
    }
    const byName = Object.fromEntries(steps.map((s) => [s.step, s]));
    // Each switch really moved the coroutine: handler worker -> dedicated pool -> IO worker.
    expect(byName.entry!.thread).toMatch(/^DefaultDispatcher-worker-\d+$/);
    expect(byName.pool!.thread).toMatch(/^tenant-pool-\d+$/);
    expect(byName.io!.thread).toMatch(/^DefaultDispatcher-worker-\d+$/);
    expect(byName['fanout-pool']!.thread).toMatch(/^tenant-pool-\d+$/);

    // Each downstream call: a Kotlin CLIENT span under the SERVER span, the Node SERVER span under it.
    const clients = await kotlin.waitForSpans((s) => s.traceId === traceId && s.kind === SpanKindNumber.CLIENT, 10_000, 4);
    expect(clients).toHaveLength(4);
    for (const span of clients) expect(span.parentSpanId).toBe(server!.spanId);
    const downstream = steps.filter((s) => s.downstream !== undefined).map((s) => s.downstream as NodeObservation);
    expect(downstream).toHaveLength(4);
    const nodeServers = telemetry.spans().filter((s) => s.kind === SpanKind.SERVER);
    for (const seen of downstream) {
      expect(seen).toMatchObject({ traceId, baggage: { 'tenant.id': 'hospital_a' } });
      const span = nodeServers.find((s) => s.spanContext().spanId === seen.spanId)!;
      expect(clients.map((c) => c.spanId)).toContain(parentOf(span));
    }
    expect(new Set(nodeServers.map(parentOf)).size).toBe(nodeServers.length);

    const lines = kotlin.logs().filter((l) => traceIdOf(l) === traceId);
    expect(lines.map((l) => l.message)).toEqual(expect.arrayContaining(steps.map((s) => `step ${s.step}`)));
    for (const line of lines) expect(line).toMatchObject({ [GCP_SPAN_ID_KEY]: server!.spanId, 'tenant.id': 'hospital_a', patient_id: 'p-7' });
  });

  it('logs a tenant only in the tenant ID shape; the step still reports what baggage held', async () => {
    const ctx = withBaggage({ 'tenant.id': "St Mary's" }, ROOT_CONTEXT);
    const reply = parseKotlinReply(await say(client, { patientId: 'p-8' }, ctx));
    expect(reply.steps!.map((s) => s.tenant)).toEqual(["St Mary's", "St Mary's", "St Mary's"]);
    // Lines come over stdout, the reply over gRPC: wait for the span export (~100 ms after both).
    await kotlin.waitForSpans((s) => s.traceId === reply.traceId && s.kind === SpanKindNumber.SERVER);
    const lines = kotlin.logs().filter((l) => traceIdOf(l) === reply.traceId);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toMatchObject({ patient_id: 'p-8' });
      expect(line).not.toHaveProperty(['tenant.id']);
    }
  });

  it('Stream: a Flow with flowOn(pool) sees the trace and tenant at every emit', async () => {
    const ctx = withBaggage({ 'tenant.id': 'hospital_b' }, ROOT_CONTEXT);
    const before = telemetry.spans().length;
    const replies = await new Promise<string[]>((resolve, reject) => {
      const values: string[] = [];
      const stream = context.with(ctx, () => client.stream({ value: JSON.stringify({ patientId: 'p-9' }) }));
      stream.on('data', (m: EchoMessage) => values.push(m.value));
      stream.on('error', reject);
      stream.on('end', () => resolve(values));
    });
    expect(replies).toHaveLength(3);
    const observations = replies.map(parseKotlinReply);
    const nodeClient = telemetry.spans().slice(before).find((s) => s.kind === SpanKind.CLIENT)!;
    const traceId = nodeClient.spanContext().traceId;
    expect(traceId).not.toBe(ZERO_TRACE);
    const [server] = await kotlin.waitForSpans((s) => s.traceId === traceId && s.name === 'tracehop.fixture.Echo/Stream');
    expect(server!.parentSpanId).toBe(nodeClient.spanContext().spanId);
    observations.forEach((o, i) => {
      expect(o.step).toMatchObject({ step: `emit-${i}`, traceId, spanId: server!.spanId, tenant: 'hospital_b', patientId: 'p-9' });
      expect(o.step!.thread).toMatch(/^tenant-pool-\d+$/);
    });
  });
});

describe('grpc-kotlin client', () => {
  it('runBlocking(baggage.asContextElement()) + ClientCalls.unaryRpc on Dispatchers.IO: the Node span is a child of the agent CLIENT span', async () => {
    const before = telemetry.spans().length;
    const result = await runKotlinClient(nodeServer.address, { api: 'coroutine', baggage: { 'tenant.id': 'hospital_b' } });
    expect(result.exitCode).toBe(0);
    const kotlinClient = result.spans.find((s) => s.kind === SpanKindNumber.CLIENT)!;
    expect(kotlinClient.parentSpanId).toBeUndefined();
    expect(result.reply).toMatchObject({ traceId: kotlinClient.traceId, baggage: { 'tenant.id': 'hospital_b' } });
    const nodeServerSpan = telemetry.spans().slice(before).find((s) => s.kind === SpanKind.SERVER)!;
    expect(nodeServerSpan.spanContext().traceId).toBe(kotlinClient.traceId);
    expect(parentOf(nodeServerSpan)).toBe(kotlinClient.spanId);
  }, 60_000);

  it('serverStreamingRpc collected as a Flow: every message carries the same trace and tenant', async () => {
    const result = await runKotlinClient(nodeServer.address, { api: 'coroutine', method: 'Stream', baggage: { 'tenant.id': 'hospital_a' } });
    expect(result.exitCode).toBe(0);
    const kotlinClient = result.spans.find((s) => s.kind === SpanKindNumber.CLIENT)!;
    const replies = result.reply as NodeObservation[];
    expect(replies).toHaveLength(3);
    for (const seen of replies) expect(seen).toMatchObject({ traceId: kotlinClient.traceId, baggage: { 'tenant.id': 'hospital_a' } });
  }, 60_000);
});
