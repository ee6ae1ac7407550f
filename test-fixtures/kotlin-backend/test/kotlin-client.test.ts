// Kotlin client under the OpenTelemetry Java agent -> Node grpc-js server with
// tracehop's server interceptor. One JVM per call (the client exits to flush).
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GCP_SPAN_ID_KEY, GCP_TRACE_KEY, GCP_TRACE_SAMPLED_KEY, SpanKindNumber, runKotlinClient, type KotlinClientResult } from '../src/index.js';
import { createTelemetry, parentOf, startNodeServer, useAsyncContext, type NodeEchoServer, type NodeObservation } from './support/node-peer.js';
import { requireJvmFixture } from './support/require-jvm.js';

useAsyncContext();
requireJvmFixture();
const telemetry = createTelemetry();
let nodeServer: NodeEchoServer;

beforeAll(async () => {
  nodeServer = await startNodeServer(telemetry.provider);
});

afterAll(async () => {
  await nodeServer?.close();
});

/** The agent's one CLIENT span from a client run. */
function kotlinClientSpan(run: KotlinClientResult, method: string) {
  const clients = run.spans.filter((s) => s.kind === SpanKindNumber.CLIENT);
  expect(clients, 'Kotlin CLIENT spans').toHaveLength(1);
  const span = clients[0]!;
  expect(span).toMatchObject({ name: `tracehop.fixture.Echo/${method}`, serviceName: 'kotlin-backend' });
  return span;
}

/** The Node SERVER span of [traceId]. */
function nodeServerSpan(traceId: string) {
  const servers = telemetry.spans().filter((s) => s.kind === SpanKind.SERVER && s.spanContext().traceId === traceId);
  expect(servers, 'Node SERVER spans in the Kotlin trace').toHaveLength(1);
  return servers[0]!;
}

describe('Kotlin client -> Node server', () => {
  it('continues the agent trace in the Node span and hands the baggage to the handler', async () => {
    const run = await runKotlinClient(nodeServer.address, { baggage: { 'tenant.id': 't_b' } });
    expect(run.exitCode).toBe(0);
    const client = kotlinClientSpan(run, 'Say');
    expect(client.parentSpanId, 'the agent CLIENT span is the root').toBeUndefined();
    expect(client.attributes['tenant.id']).toBe('t_b');

    const server = nodeServerSpan(client.traceId);
    expect(parentOf(server)).toBe(client.spanId);
    expect(server.spanContext().traceId).toBe(client.traceId);

    // The handler saw the trace and, via propagation.getBaggage(context.active()), the tenant.
    const seen = run.reply as NodeObservation;
    expect(seen).toEqual({
      service: 'node-backend',
      where: 'Say',
      traceId: client.traceId,
      spanId: server.spanContext().spanId,
      baggage: { 'tenant.id': 't_b' },
    });
    expect(nodeServer.seen).toContainEqual(seen);

    // The client's own log line has the tenant; no span is current in app code there.
    const line = run.logs.find((l) => l.message.startsWith('client Say'));
    expect(line).toMatchObject({ 'tenant.id': 't_b', service: 'kotlin-backend', severity: 'INFO' });
    expect(line).not.toHaveProperty([GCP_TRACE_KEY]);
  });

  it('writes no trace field outside a span, with CLOUD_LOGGING_TRACE_PROJECT set too (no empty projects/…/traces/)', async () => {
    const run = await runKotlinClient(nodeServer.address, { baggage: { 'tenant.id': 't_p' }, env: { CLOUD_LOGGING_TRACE_PROJECT: 'tracehop-demo' } });
    expect(run.exitCode).toBe(0);
    const line = run.logs.find((l) => l.message.startsWith('client Say'));
    expect(line).toMatchObject({ 'tenant.id': 't_p' });
    for (const key of [GCP_TRACE_KEY, GCP_SPAN_ID_KEY, GCP_TRACE_SAMPLED_KEY]) expect(line).not.toHaveProperty([key]);
  });

  it.each(['Stream', 'Collect', 'Chat'] as const)('does the same for %s', async (method) => {
    const run = await runKotlinClient(nodeServer.address, { method, baggage: { 'tenant.id': `t_${method}` } });
    expect(run.exitCode).toBe(0);
    const client = kotlinClientSpan(run, method);
    const server = nodeServerSpan(client.traceId);
    expect(parentOf(server)).toBe(client.spanId);

    const replies = (Array.isArray(run.reply) ? run.reply : [run.reply]) as NodeObservation[];
    expect(replies.length).toBe(method === 'Collect' ? 1 : method === 'Stream' ? 3 : 2);
    for (const seen of replies) {
      expect(seen).toMatchObject({ traceId: client.traceId, spanId: server.spanContext().spanId, baggage: { 'tenant.id': `t_${method}` } });
    }
  });
});
