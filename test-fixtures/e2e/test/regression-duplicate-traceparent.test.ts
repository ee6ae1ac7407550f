// Regression (found by the hostile-input property test, issue 7):
// packages/core/src/headers.ts documents that a duplicated traceparent starts a
// new trace. Two traceparent lines whose first is a future version (here "cc")
// arrive joined with ", "; when the first carries a `-…` suffix (allowed for
// future versions), everything after it passes as part of that suffix, and
// the trace of the first line is continued.
import * as grpc from '@grpc/grpc-js';
import { createServiceTelemetry, startBff } from '@tracehop/fixture-bff';
import { loadEcho, type EchoMessage } from '@tracehop/fixture-proto';
import { expect, test } from 'vitest';
import { useAsyncContext } from './harness.js';
import { postQuery } from './http-client.js';

useAsyncContext();
test('two traceparent lines start a new trace even when the first is a future version', async () => {
  const { service } = loadEcho(grpc);
  const server = new grpc.Server();
  server.addService(service, {
    Say: (call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, cb: grpc.sendUnaryData<EchoMessage>) => cb(null, { value: String(call.metadata.get('traceparent')[0]) }),
    Stream: (call: grpc.ServerWritableStream<EchoMessage, EchoMessage>) => call.end(),
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const bff = await startBff({ telemetry: createServiceTelemetry('bff'), backendAddress: `127.0.0.1:${port}` });
  const first = `cc-${'a'.repeat(32)}-${'b'.repeat(16)}-01-ext`;
  const second = `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`;
  const response = await postQuery(bff.url, '{ patient(id: "p-1") { summary } }', { traceparent: [first, second] });
  const sent = (JSON.parse(response.body) as { data: { patient: { summary: string } } }).data.patient.summary;
  await bff.stop();
  server.forceShutdown();
  expect(sent.slice(3, 35)).not.toBe('a'.repeat(32)); // today: continues aaaa…
});
