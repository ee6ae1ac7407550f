// W3C Trace Context Level 2: a caller's random flag (0x02) belongs to its
// trace ID, so it must travel on every onward hop of that trace, over gRPC as
// over HTTP, while the spans the SDK records keep only their sampling bit.
import * as grpc from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import type { EchoMessage } from '@tracehop/fixture-proto';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { createClient, createTelemetry, observingHandlers, sayAsync, startServer, useAsyncContext, type RunningServer } from './harness.js';

useAsyncContext();
const telemetry = createTelemetry();
const downstreamMetadata: grpc.Metadata[] = [];
let downstream: RunningServer;
let middle: RunningServer;

beforeAll(async () => {
  downstream = await startServer(observingHandlers([], downstreamMetadata), { tracerProvider: telemetry.provider });
  const onward = createClient(downstream.address, { tracerProvider: telemetry.provider });
  // The middle service: continues the caller's trace, then calls downstream.
  middle = await startServer(
    {
      async Say(call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
        callback(null, await sayAsync(onward, call.request.value));
      },
    },
    { tracerProvider: telemetry.provider },
  );
});
afterAll(async () => {
  await middle.stop();
  await downstream.stop();
});
beforeEach(() => {
  telemetry.exporter.reset();
  downstreamMetadata.length = 0;
});

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

async function callMiddle(flags: string): Promise<string> {
  // A caller without tracehop: the traceparent is exactly what it chose to send.
  const raw = createClient(middle.address, false);
  const metadata = new grpc.Metadata();
  metadata.set('traceparent', `00-${TRACE_ID}-00f067aa0ba902b7-${flags}`);
  try {
    await sayAsync(raw, 'x', metadata);
  } finally {
    raw.close();
  }
  return downstreamMetadata[0]!.get('traceparent')[0] as string;
}

test.each([
  ['03', '03'],
  ['02', '02'],
])('incoming flags %s: the onward gRPC call carries the random flag (%s) for the same trace', async (incoming, onward) => {
  const sent = await callMiddle(incoming);
  expect(sent.startsWith(`00-${TRACE_ID}-`)).toBe(true);
  expect(sent.slice(-2)).toBe(onward);
  // What the SDK recorded is untouched: only the sampling bit.
  for (const span of telemetry.spans()) expect(span.spanContext().traceFlags & 0x02).toBe(0);
  if (incoming === '03') expect(telemetry.spans().filter((s) => s.kind === SpanKind.SERVER)).toHaveLength(2);
});

test('incoming flags 01: the onward call does not claim the random flag', async () => {
  expect((await callMiddle('01')).slice(-2)).toBe('01');
});
