// The export variants' peers, run in the runner's own process (so valgrind
// counts none of their work): a loopback OTLP/HTTP collector that counts what
// arrives and with which Authorization, and a loopback GCE metadata server
// speaking the real protocol (Metadata-Flavor: Google both ways) that hands
// out an ID token valid for an hour. The environment points
// google-auth-library at it, as test-fixtures/gcp-fakes does.
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

function idToken(audience) {
  const now = Math.floor(Date.now() / 1000);
  const email = 'exporter@tracehop-bench.iam.gserviceaccount.com';
  // Unsigned for the benchmark: the exporter side only reads `exp`; nothing here verifies it.
  return `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ aud: audience, email, iat: now, exp: now + 3600, sub: email })}.c2lnbmF0dXJl`;
}

async function listen(handler) {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

export async function startExportPeers() {
  const received = { requests: 0, withIdToken: 0, withStatic: 0, tokenFetches: 0 };
  const collector = await listen((request, response) => {
    request.resume();
    request.on('end', () => {
      received.requests++;
      const auth = request.headers.authorization ?? '';
      if (auth === 'Bearer static-token') received.withStatic++;
      else if (auth.startsWith('Bearer ey')) received.withIdToken++;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const metadata = await listen((request, response) => {
    const url = new URL(request.url ?? '/', 'http://metadata.google.internal');
    const send = (status, body) => response.writeHead(status, { 'Metadata-Flavor': 'Google', 'Content-Type': 'application/text' }).end(body);
    if (request.headers['metadata-flavor'] !== 'Google') return send(403, 'Missing Metadata-Flavor:Google header.');
    if (url.pathname === '/computeMetadata/v1/instance/service-accounts/default/identity') {
      received.tokenFetches++;
      return send(200, idToken(url.searchParams.get('audience') ?? ''));
    }
    if (url.pathname === '/computeMetadata/v1/project/project-id') return send(200, 'tracehop-bench');
    if (url.pathname === '/computeMetadata/v1/instance/service-accounts/default/email') return send(200, 'exporter@tracehop-bench.iam.gserviceaccount.com');
    return send(url.pathname.startsWith('/computeMetadata/v1') || url.pathname === '/' ? 200 : 404, '');
  });
  const metadataHost = `127.0.0.1:${metadata.address().port}`;
  return {
    env: {
      BENCH_OTLP_URL: `http://127.0.0.1:${collector.address().port}/v1/traces`,
      GCE_METADATA_HOST: metadataHost,
      GCE_METADATA_IP: metadataHost,
      METADATA_SERVER_DETECTION: 'assume-present',
      GOOGLE_CLOUD_PROJECT: 'tracehop-bench',
      GCLOUD_PROJECT: 'tracehop-bench',
      GOOGLE_APPLICATION_CREDENTIALS: undefined,
      CLOUDSDK_CONFIG: mkdtempSync(join(tmpdir(), 'tracehop-bench-gcloud-')),
      HOME: mkdtempSync(join(tmpdir(), 'tracehop-bench-home-')),
    },
    summary: () =>
      `${received.requests} export requests over all runs, ${received.withIdToken} with a metadata-server ID token, ${received.withStatic} with the static header; ${received.tokenFetches} ID-token fetches from the metadata server (one per process expected: one per token lifetime)`,
    close: async () => {
      collector.close();
      metadata.close();
      collector.closeAllConnections();
      metadata.closeAllConnections();
    },
  };
}
