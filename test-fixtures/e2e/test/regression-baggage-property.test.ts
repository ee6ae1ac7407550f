// Regression (found by the hostile-input property test, issue 7):
// An edge with acceptBaggage: true forwards baggage properties verbatim; a TAB
// or a latin1 byte in one makes grpc-js refuse the outbound `baggage` value,
// injectOutbound swallows the throw, and the call goes out with no baggage at
// all: the authenticated tenant is lost downstream.
import * as grpc from '@grpc/grpc-js';
import { createServiceTelemetry, startBff } from '@tracehop/fixture-bff';
import { loadEcho, type EchoMessage } from '@tracehop/fixture-proto';
import { expect, test } from 'vitest';
import { useAsyncContext } from './harness.js';
import { postQuery } from './http-client.js';

useAsyncContext();
test.each(['k=v;a\tb', 'k=v;p\u00b6'])('inbound baggage %j never costs the request its tenant downstream', async (baggage) => {
  const { service } = loadEcho(grpc);
  const server = new grpc.Server();
  server.addService(service, {
    Say: (call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, cb: grpc.sendUnaryData<EchoMessage>) => cb(null, { value: String(call.metadata.get('baggage')[0] ?? '') }),
    Stream: (call: grpc.ServerWritableStream<EchoMessage, EchoMessage>) => call.end(),
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const bff = await startBff({ telemetry: createServiceTelemetry('bff'), backendAddress: `127.0.0.1:${port}`, acceptBaggage: true });
  const response = await postQuery(bff.url, '{ patient(id: "p-1") { summary } }', { baggage, authorization: 'Bearer token-hospital-a' });
  const sent = (JSON.parse(response.body) as { data: { patient: { summary: string } } }).data.patient.summary;
  await bff.stop();
  server.forceShutdown();
  expect(sent).toMatch(/(^|,)tenant\.id=hospital_a(,|;|$)/);
});
