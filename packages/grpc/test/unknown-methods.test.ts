// Span names and rpc.method are dimensions of everything computed from spans
// (per-method metrics). A client that calls methods the server does not have
// must not add one: grpc-js answers UNIMPLEMENTED before any interceptor runs,
// so the server records nothing for them, whatever the path.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTelemetry, observingHandlers, startServer, useAsyncContext, type RunningServer } from './harness.js';

useAsyncContext();
const telemetry = createTelemetry();
let running: RunningServer;
beforeAll(async () => {
  running = await startServer(observingHandlers([]), { tracerProvider: telemetry.provider });
});
afterAll(() => running.stop());

test('1,000 calls to distinct unknown methods: each UNIMPLEMENTED, and not one span recorded', async () => {
  const client = new grpc.Client(running.address, grpc.credentials.createInsecure());
  const identity = (value: Buffer) => value;
  const codes = await Promise.all(
    Array.from({ length: 1_000 }, (_, i) =>
      new Promise<number | undefined>((resolve) =>
        client.makeUnaryRequest(`/attacker.Svc${i}/Method${i}`, identity, identity, Buffer.alloc(0), (error) => resolve(error?.code)),
      ),
    ),
  );
  client.close();
  expect(new Set(codes)).toEqual(new Set([grpc.status.UNIMPLEMENTED]));
  expect(telemetry.spans()).toEqual([]);
});
