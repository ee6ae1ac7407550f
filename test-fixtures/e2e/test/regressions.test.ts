// Regressions found by the hostile-input property test, each sent
// over real HTTP into the BFF; a real gRPC backend reports the propagation
// header it received.
import * as grpc from '@grpc/grpc-js';
import { createServiceTelemetry, startBff, type Bff } from '@tracehop/fixture-bff';
import { loadEcho, type EchoMessage } from '@tracehop/fixture-proto';
import type { OutgoingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { useAsyncContext } from './harness.js';
import { postQuery } from './http-client.js';

useAsyncContext();
const QUERY = '{ patient(id: "p-1") { summary } }';
let backend: grpc.Server;
let permissiveEdge: Bff;
let defaultEdge: Bff;

beforeAll(async () => {
  // Answers Say with the propagation headers it received.
  const { service } = loadEcho(grpc);
  backend = new grpc.Server();
  backend.addService(service, {
    Say: (call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) => {
      const received = { baggage: String(call.metadata.get('baggage')[0] ?? ''), traceparent: String(call.metadata.get('traceparent')[0] ?? '') };
      callback(null, { value: JSON.stringify(received) });
    },
    Stream: (call: grpc.ServerWritableStream<EchoMessage, EchoMessage>) => call.end(),
  });
  const port = await new Promise<number>((resolve, reject) =>
    backend.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  const telemetry = createServiceTelemetry('bff');
  permissiveEdge = await startBff({ telemetry, backendAddress: `127.0.0.1:${port}`, acceptBaggage: true });
  defaultEdge = await startBff({ telemetry, backendAddress: `127.0.0.1:${port}` });
});
afterAll(async () => {
  await Promise.all([permissiveEdge.stop(), defaultEdge.stop()]);
  backend.forceShutdown();
});

/** The `header` the backend received for one request through `edge`. */
async function sentDownstream(edge: Bff, header: 'baggage' | 'traceparent', headers: OutgoingHttpHeaders): Promise<string> {
  const response = await postQuery(edge.url, QUERY, headers);
  const summary = (JSON.parse(response.body) as { data: { patient: { summary: string } } }).data.patient.summary;
  return (JSON.parse(summary) as Record<typeof header, string>)[header];
}

test.each(['k=v;a\tb', 'k=v;p\u00b6'])('inbound baggage %j never costs the request its tenant downstream', async (baggage) => {
  const sent = await sentDownstream(permissiveEdge, 'baggage', { baggage, authorization: 'Bearer token-hospital-a' });
  expect(sent).toMatch(/(^|,)tenant\.id=hospital_a(,|;|$)/);
});

test('outbound baggage keys are W3C tokens even when an inbound key is not', async () => {
  const sent = await sentDownstream(permissiveEdge, 'baggage', { baggage: '(=<,a)b=1,ok=1', authorization: 'Bearer token-hospital-a' });
  expect(sent).toContain('ok=1');
  for (const member of sent.split(',')) expect(member.split('=')[0], sent).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
});

test('two traceparent lines start a new trace even when the first is a future version', async () => {
  const first = `cc-${'a'.repeat(32)}-${'b'.repeat(16)}-01-ext`;
  const second = `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`;
  const sent = await sentDownstream(defaultEdge, 'traceparent', { traceparent: [first, second] });
  expect(sent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  expect(sent.slice(3, 35)).not.toMatch(/^(a{32}|c{32})$/);
});
