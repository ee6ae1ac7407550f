// googleIdTokenCallCredentials over real TLS (a self-signed certificate made
// here with openssl): a grpc-js server that authenticates like a private Cloud
// Run service, reached by a plain grpc-js client and by the real OTLP gRPC exporter.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { applyEnv, createIssuer, startFakeMetadataServer, type FakeMetadataServer } from '@tracehop/fixture-gcp-fakes';
import { GoogleAuth } from 'google-auth-library';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { googleIdTokenCallCredentials, googleIdTokenHeaders, type GoogleIdTokenCallCredentials } from '../src/index.js';
import { AUDIENCE, exportSpans } from './harness.js';

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const passThrough = (buffer: Buffer): Buffer => buffer;
const traceService: grpc.ServiceDefinition = {
  Export: {
    path: EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: passThrough,
    requestDeserialize: passThrough,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  },
};

const issuer = createIssuer();
let metadata: FakeMetadataServer;
let restoreEnv: () => void;
let server: grpc.Server;
let target: string;
let caCert: Buffer;
const seen: Array<{ authorization: string | undefined; serverless: string | undefined }> = [];
const created: GoogleIdTokenCallCredentials[] = [];

/** A self-signed certificate for 127.0.0.1 and localhost, made now. */
function selfSignedCertificate(): { cert: Buffer; key: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'tracehop-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'pipe' });
  return { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) };
}

beforeAll(async () => {
  metadata = await startFakeMetadataServer({ issuer, lifetimeSeconds: 600 });
  restoreEnv = applyEnv(metadata.env());
  const { cert, key } = selfSignedCertificate();
  caCert = cert;
  server = new grpc.Server();
  server.addService(traceService, {
    Export(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      const first = (name: string): string | undefined => call.metadata.get(name)[0]?.toString();
      const authorization = first('authorization');
      seen.push({ authorization, serverless: first('x-serverless-authorization') });
      const bearer = authorization ?? first('x-serverless-authorization');
      const verdict = bearer?.startsWith('Bearer ') ? issuer.verify(bearer.slice(7), { audience: AUDIENCE }) : { ok: false as const, reason: 'no token' };
      if (!verdict.ok) return callback({ code: grpc.status.UNAUTHENTICATED, details: verdict.reason });
      callback(null, Buffer.alloc(0));
    },
  });
  const credentials = grpc.ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }], false);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  target = `127.0.0.1:${port}`;
});
afterAll(async () => {
  server.forceShutdown();
  restoreEnv();
  await metadata.close();
});
afterEach(async () => {
  for (const credentials of created.splice(0)) credentials.shutdown();
  seen.length = 0;
  await metadata.setMode('normal');
  metadata.resetCounts();
});

function callCredentials(options: Partial<Parameters<typeof googleIdTokenCallCredentials>[0]> = {}): GoogleIdTokenCallCredentials {
  // A shared source keeps its own options: with `source`, the others would be refused.
  const defaults = 'source' in options ? {} : { audience: AUDIENCE, maxWaitMs: 300, retryMinMs: 200 };
  const credentials = googleIdTokenCallCredentials({ ...defaults, ...options } as never);
  created.push(credentials);
  return credentials;
}

const Client = grpc.makeGenericClientConstructor(traceService, 'TraceService');

function callExport(client: grpc.Client): Promise<grpc.ServiceError | null> {
  return new Promise((resolve) =>
    client.makeUnaryRequest(EXPORT_PATH, passThrough, passThrough, Buffer.alloc(0), (error) => resolve(error ?? null)),
  );
}

test('a plain grpc-js client over TLS: 100 concurrent calls carry the verified token, one metadata fetch', async () => {
  const credentials = callCredentials({ prefetch: false });
  const client = new Client(target, grpc.credentials.combineChannelCredentials(grpc.credentials.createSsl(caCert), credentials));
  const errors = await Promise.all(Array.from({ length: 100 }, () => callExport(client)));
  expect(errors).toEqual(Array(100).fill(null));
  expect(seen).toHaveLength(100);
  expect(new Set(seen.map((call) => call.authorization)).size).toBe(1);
  expect(metadata.fetchCount(AUDIENCE)).toBe(1);
  client.close();
});

test('X-Serverless-Authorization goes out as x-serverless-authorization metadata, authorization left alone', async () => {
  const credentials = callCredentials({ header: 'X-Serverless-Authorization' });
  const client = new Client(target, grpc.credentials.combineChannelCredentials(grpc.credentials.createSsl(caCert), credentials));
  expect(await callExport(client)).toBeNull();
  expect(seen).toEqual([{ authorization: undefined, serverless: expect.stringMatching(/^Bearer ey/) }]);
  client.close();
});

test('the real OTLP gRPC exporter over TLS with the call credentials: exports accepted', async () => {
  const credentials = callCredentials();
  const exporter = new OTLPTraceExporter({
    url: `https://${target}`,
    credentials: grpc.credentials.combineChannelCredentials(grpc.credentials.createSsl(caCert), credentials),
  });
  const results = await Promise.all(Array.from({ length: 20 }, () => exportSpans(exporter)));
  expect(results.map((result) => result.code)).toEqual(Array(20).fill(ExportResultCode.SUCCESS));
  expect(seen.every((call) => call.authorization?.startsWith('Bearer '))).toBe(true);
  expect(metadata.fetchCount(AUDIENCE)).toBe(1);
  await exporter.shutdown();
});

test('metadata server down: the gRPC export resolves as UNAUTHENTICATED within the bound, nothing throws', async () => {
  await metadata.setMode('down');
  const credentials = callCredentials();
  const exporter = new OTLPTraceExporter({
    url: `https://${target}`,
    credentials: grpc.credentials.combineChannelCredentials(grpc.credentials.createSsl(caCert), credentials),
  });
  const result = await exportSpans(exporter);
  expect(result.code).toBe(ExportResultCode.FAILED);
  expect((result.error as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
  expect(result.ms).toBeLessThan(1500); // maxWaitMs 300 + the call, on a loaded box
  expect(seen).toEqual([{ authorization: undefined, serverless: undefined }]);
  await exporter.shutdown();
});

test('the http headers factory and the gRPC call credentials can share one source', async () => {
  const headers = googleIdTokenHeaders({ audience: AUDIENCE });
  const credentials = callCredentials({ source: headers.source });
  const client = new Client(target, grpc.credentials.combineChannelCredentials(grpc.credentials.createSsl(caCert), credentials));
  expect(await callExport(client)).toBeNull();
  expect(seen[0]!.authorization).toBe((await headers()).Authorization);
  expect(metadata.fetchCount(AUDIENCE)).toBe(1);
  headers.shutdown();
  client.close();
});

test('why not createFromGoogleCredential: with google-auth-library >= 10 it sends no token at all', async () => {
  const idTokenClient = await new GoogleAuth().getIdTokenClient(AUDIENCE);
  const google = grpc.credentials.createFromGoogleCredential(idTokenClient as never);
  const client = new Client(target, grpc.credentials.combineChannelCredentials(grpc.credentials.createSsl(caCert), google));
  const error = await callExport(client);
  expect(error?.code).toBe(grpc.status.UNAUTHENTICATED);
  expect(seen).toEqual([{ authorization: undefined, serverless: undefined }]);
  client.close();
});
