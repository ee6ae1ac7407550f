// Bad input never crashes the doctor: malformed or oversized OTLP, a flood of
// spans (bounded memory, a clear note), a service that never exports.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createServiceTelemetry, startBff, startNodeBackend } from '@tracehop/fixture-bff';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../src/index.js';
import { startReceiver, type Receiver } from '../src/testing.js';
import { exportingTelemetry } from './fixtures/exporting-telemetry.js';

const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(options: Parameters<typeof startReceiver>[0] = {}): Promise<Receiver> {
  const rx = await startReceiver({ port: 0, ...options });
  cleanups.push(() => rx.close());
  return rx;
}

const hex = (n: number, i: number) => i.toString(16).padStart(n, '0').slice(-n).replace(/^0+$/, '1'.padStart(n, '0'));
/** An OTLP/JSON export request of `count` INTERNAL spans, each in its own trace. */
function jsonBatch(count: number, offset: number): string {
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId: hex(32, offset + i + 1),
    spanId: hex(16, offset + i + 1),
    parentSpanId: hex(16, offset + i + 2),
    name: 'flood',
    kind: 1,
    startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
    endTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n + 1000n),
    attributes: [{ key: 'payload', value: { stringValue: 'x'.repeat(200) } }],
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'flood' } }] }, scopeSpans: [{ spans }] }] });
}

const post = (rx: Receiver, body: string | Buffer, headers: Record<string, string>) =>
  fetch(`${rx.endpoint}/v1/traces`, { method: 'POST', headers, body: typeof body === 'string' ? body : Uint8Array.from(body) }).then((r) => r.status);

describe('malformed OTLP', () => {
  it('answers 400/413 to garbage, counts it, and keeps receiving good exports', async () => {
    const rx = await receiver();
    const proto = { 'content-type': 'application/x-protobuf' };
    const json = { 'content-type': 'application/json' };
    expect(await post(rx, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2]), proto)).toBe(400);
    expect(await post(rx, '{"resourceSpans": [', json)).toBe(400);
    // Well-formed JSON of the wrong shape: nothing to keep, nothing thrown.
    expect(await post(rx, '{"resourceSpans":"x"}', json)).toBe(200);
    expect(await post(rx, JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'zz', spanId: 12, kind: 'weird' }, null, 7] }] }] }), json)).toBe(200);
    // A gzip bomb: 64 MiB of zeros in ~64 KiB.
    expect(await post(rx, gzipSync(Buffer.alloc(64 * 1024 * 1024)), { ...proto, 'content-encoding': 'gzip' })).toBe(400);
    // Over the body limit.
    expect(await post(rx, Buffer.alloc(17 * 1024 * 1024), proto)).toBe(413);
    expect(rx.store.malformed).toBe(4);
    expect(rx.store.all()).toEqual([]);
    expect(await post(rx, jsonBatch(3, 0), json)).toBe(200);
    expect(rx.store.all().map((s) => s.service)).toEqual(['flood', 'flood', 'flood']);
  });

  it('answers INVALID_ARGUMENT to a garbage gRPC export and stays up', async () => {
    const rx = await receiver({ grpcPort: 0 });
    const client = new grpc.Client(rx.grpcEndpoint!.replace('http://', ''), grpc.credentials.createInsecure());
    cleanups.push(async () => client.close());
    const call = (bytes: Buffer) =>
      new Promise<grpc.status>((resolve) =>
        client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b: Buffer) => b, (b: Buffer) => b, bytes, (error) => resolve(error ? error.code : grpc.status.OK)),
      );
    expect(await call(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await call(Buffer.alloc(0))).toBe(grpc.status.OK);
    expect(rx.store.malformed).toBe(1);
  });
});

describe('a span flood', () => {
  it('keeps at most the cap, says how many were dropped, and still judges the probes', async () => {
    const rx = await receiver({ maxSpans: 2_000 });
    const bffTelemetry = exportingTelemetry('bff', { endpoint: rx.endpoint });
    const backendTelemetry = exportingTelemetry('node-backend', { endpoint: rx.endpoint });
    const backend = await startNodeBackend(backendTelemetry);
    const bff = await startBff({ telemetry: bffTelemetry, backendAddress: backend.address });
    cleanups.push(() => bffTelemetry.shutdown(), () => backendTelemetry.shutdown(), () => backend.stop(), () => bff.stop());
    // 100 batches of 2,000 spans (about 60 MB of JSON) while the probes run.
    let flooding = true;
    const flood = (async () => {
      for (let i = 0; i < 100 && flooding; i++) await post(rx, jsonBatch(2_000, i * 2_000), { 'content-type': 'application/json' });
    })();
    const heapBefore = retainedHeap();
    const report = await runDoctor(
      { url: bff.url, query: '{ patient(id: "p-1") { id summary } }', headers: { authorization: 'Bearer token-hospital-a' }, probes: 2, settleMs: 1_000, waitMs: 20_000, maxSpans: 2_000 },
      rx,
    );
    await flood;
    flooding = false;
    expect(report.probes.flatMap((p) => p.breaks)).toEqual([]);
    expect(rx.store.all().length).toBeLessThanOrEqual(4_000);
    expect(report.receiver.dropped).toBeGreaterThan(0);
    expect(report.notes.join('\n')).toMatch(/dropped \d+ of \d+ spans over its cap of 2000/);
    // Kept without the cap, 200,000 spans with a 200-byte attribute would hold well over 100 MB.
    // Measured after a full GC: what the receiver retains, not garbage the GC has not reached yet.
    const retained = retainedHeap() - heapBefore;
    expect(retained).toBeLessThan(50e6);
    console.log(`flood: ${rx.store.received} spans received, ${rx.store.dropped} dropped, ${rx.store.all().length} kept; heap retained ${(retained / 1e6).toFixed(1)} MB above the start`);
  }, 60_000);
});

/** Heap in use after a full garbage collection (gc exposed at run time, as --expose-gc would). */
function retainedHeap(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

describe('a service that never exports', () => {
  it('ends after the bounded wait with no-spans, not a hang', async () => {
    const rx = await receiver();
    const silent = createServiceTelemetry('bff');
    const backend = await startNodeBackend(createServiceTelemetry('node-backend'));
    const bff = await startBff({ telemetry: silent, backendAddress: backend.address });
    cleanups.push(() => backend.stop(), () => bff.stop());
    const started = Date.now();
    const report = await runDoctor({ url: bff.url, query: '{ patient(id: "p-1") { id } }', probes: 1, settleMs: 200, waitMs: 1_500 }, rx);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(report.probes[0]!.breaks.map((b) => b.kind)).toEqual(['no-spans']);
    expect(report.wait.complete).toBe(false);
    expect(report.notes.join('\n')).toMatch(/waited 1\.\d s for spans after the last probe .*still silent: the entry service/);
  });
});
