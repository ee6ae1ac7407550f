// Regression (found by the hostile-input property test, issue 7):
// an inbound baggage key that is not a W3C token
// ("(" or ")") is accepted at an edge with acceptBaggage: true and sent on
// unescaped, so the outbound `baggage` header is malformed.
import * as grpc from '@grpc/grpc-js';
import { createServiceTelemetry, startBff } from '@tracehop/fixture-bff';
import { loadEcho, type EchoMessage } from '@tracehop/fixture-proto';
import { expect, test } from 'vitest';
import { useAsyncContext } from './harness.js';
import { postQuery } from './http-client.js';

useAsyncContext();
test('outbound baggage keys are W3C tokens even when an inbound key is not', async () => {
  const { service } = loadEcho(grpc);
  const server = new grpc.Server();
  server.addService(service, {
    Say: (call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, cb: grpc.sendUnaryData<EchoMessage>) => cb(null, { value: String(call.metadata.get('baggage')[0] ?? '') }),
    Stream: (call: grpc.ServerWritableStream<EchoMessage, EchoMessage>) => call.end(),
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const bff = await startBff({ telemetry: createServiceTelemetry('bff'), backendAddress: `127.0.0.1:${port}`, acceptBaggage: true });
  const response = await postQuery(bff.url, '{ patient(id: "p-1") { summary } }', { baggage: '(=<,a)b=1,ok=1', authorization: 'Bearer token-hospital-a' });
  const sent = (JSON.parse(response.body) as { data: { patient: { summary: string } } }).data.patient.summary;
  console.info(`[bug] inbound baggage "(=<,a)b=1,ok=1" -> outbound "${sent}"`);
  await bff.stop();
  server.forceShutdown();
  for (const member of sent.split(',')) expect(member.split('=')[0], sent).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
});
