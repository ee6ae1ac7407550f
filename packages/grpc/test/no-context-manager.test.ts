// Issue 24.4: with no context manager (a BasicTracerProvider and nothing
// registered globally), context.with() makes nothing active, so handlers see
// no trace and onward calls start new ones. tracehop says so, once per
// process, through diag at WARN, naming the fix. This file registers no
// context manager; context-manager-present.test.ts is the control.
import type * as grpc from '@grpc/grpc-js';
import { context, diag, DiagLogLevel, trace } from '@opentelemetry/api';
import type { EchoMessage } from '@tracehop/fixture-proto';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { createClient, createTelemetry, sayAsync, startServer, type RunningServer } from './harness.js';

const telemetry = createTelemetry();
const warn = vi.fn();
let running: RunningServer;
const handlerSaw: Array<string | undefined> = [];

beforeAll(async () => {
  diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() }, DiagLogLevel.WARN);
  running = await startServer(
    {
      Say(call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
        handlerSaw.push(trace.getSpanContext(context.active())?.traceId);
        callback(null, { value: call.request.value });
      },
    },
    { tracerProvider: telemetry.provider },
  );
});
afterAll(async () => {
  await running.stop();
  diag.disable();
});

test('no context manager: one diag warning naming the fix, however many calls run', async () => {
  const client = createClient(running.address, { tracerProvider: telemetry.provider });
  for (let i = 0; i < 5; i++) await sayAsync(client, `call ${i}`);
  client.close();

  // What the warning is about: the handler ran outside its call's trace.
  expect(handlerSaw).toEqual([undefined, undefined, undefined, undefined, undefined]);
  expect(telemetry.spans()).toHaveLength(10);

  const warnings = warn.mock.calls.map(([message]) => String(message)).filter((message) => message.includes('context manager'));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain('no context manager carries context');
  expect(warnings[0]).toContain('context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())');
});
