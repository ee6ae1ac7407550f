// Hundreds of interleaved calls of every kind, each under its own trace: every
// handler observation belongs to its own call's trace, never another's.
import type * as grpc from '@grpc/grpc-js';
import { context, propagation, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chatAsync, collectAsync, collectStream, createClient, observe, sayAsync, startServer, useAsyncContext, type RunningServer } from './harness.js';
import type { EchoClient, EchoMessage } from '@tracehop/fixture-proto';

useAsyncContext();
let running: RunningServer;
let client: EchoClient;
const mismatches: string[] = [];
let observations = 0;

/** Each handler checks, at every await point, that the trace it sees is the one named in the request. */
function check(where: string, expectedTraceId: string): void {
  observations++;
  const seen = observe(where);
  if (seen.traceId !== expectedTraceId || seen.baggage['request.trace'] !== expectedTraceId) {
    mismatches.push(`${where}: expected ${expectedTraceId}, saw ${seen.traceId}/${seen.baggage['request.trace']}`);
  }
}
const jitter = () => new Promise((r) => setTimeout(r, Math.random() * 5));

beforeAll(async () => {
  running = await startServer(
    {
      async Say(call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
        check('say', call.request.value);
        await jitter();
        check('say:await', call.request.value);
        callback(null, call.request);
      },
      async Stream(call: grpc.ServerWritableStream<EchoMessage, EchoMessage>) {
        for (let i = 0; i < 3; i++) {
          await jitter();
          check('stream', call.request.value);
          call.write(call.request);
        }
        call.end();
      },
      Collect(call: grpc.ServerReadableStream<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
        let last = '';
        call.on('data', (m: EchoMessage) => {
          check('collect:data', m.value);
          last = m.value;
        });
        call.on('end', async () => {
          await jitter();
          check('collect:end', last);
          callback(null, { value: last });
        });
      },
      Chat(call: grpc.ServerDuplexStream<EchoMessage, EchoMessage>) {
        call.on('data', async (m: EchoMessage) => {
          await jitter();
          check('chat:data', m.value);
          call.write(m);
        });
        call.on('end', () => setTimeout(() => call.end(), 10));
      },
    },
    {},
  );
  client = createClient(running.address, {});
});
afterAll(async () => {
  client.close();
  await running.stop();
});

function randomHex(length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
  return out.slice(0, length);
}

test('400 interleaved calls of all four kinds never see another call\'s trace', async () => {
  const calls = Array.from({ length: 400 }, async (_, i) => {
    const traceId = randomHex(32);
    const ctx = propagation.setBaggage(
      trace.setSpanContext(context.active(), { traceId, spanId: randomHex(16), traceFlags: 1, isRemote: true }),
      propagation.createBaggage({ 'request.trace': { value: traceId } }),
    );
    await jitter();
    return context.with(ctx, async () => {
      switch (i % 4) {
        case 0:
          return (await sayAsync(client, traceId)).value === traceId;
        case 1:
          return (await collectStream(client.stream({ value: traceId }))).every((v) => v === traceId);
        case 2:
          return (await collectAsync(client, [traceId, traceId])).value === traceId;
        default:
          return (await chatAsync(client, [traceId, traceId])).every((v) => v === traceId);
      }
    });
  });
  const results = await Promise.all(calls);
  expect(results.every(Boolean)).toBe(true);
  expect(mismatches).toEqual([]);
  // 100 calls of each kind: 2 + 3 + 3 + 2 observations each.
  expect(observations).toBe(1_000);
});
