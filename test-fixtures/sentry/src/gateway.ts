// A Sentry-instrumented HTTP gateway, run in its own process (Sentry registers
// globals): real @sentry/node, tracing on, Sentry's documented
// `propagateTraceparent` on so W3C hops behind it can continue its trace.
// Every request it gets becomes one GraphQL POST to BFF_URL; it answers with
// the BFF's status and body and the headers Sentry wrote on that POST.
//   env: SENTRY_DSN, BFF_URL, GATEWAY_QUERY (optional),
//        PROPAGATE_TRACEPARENT=false for Sentry's default (sentry-trace + baggage only)
import { createServer, request, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as Sentry from '@sentry/node';

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  tracesSampleRate: 1,
  propagateTraceparent: process.env.PROPAGATE_TRACEPARENT !== 'false',
  environment: 'production',
  release: 'gateway@1.0.0',
  tracePropagationTargets: [/^http:\/\/127\.0\.0\.1/],
});

const bffUrl = process.env.BFF_URL ?? '';
const query = process.env.GATEWAY_QUERY ?? '{ patient(id: "p-1") { summary } }';

function forward(authorization: string | undefined): Promise<{ status: number; body: string; sent: OutgoingHttpHeaders }> {
  const body = JSON.stringify({ query });
  return new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (authorization) headers.authorization = authorization;
    const req = request(bffUrl, { method: 'POST', headers });
    req.on('response', (res) => {
      // Sentry has written its headers by now (they are not there yet when request() returns).
      const sent = req.getHeaders();
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), sent }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const authorization = typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined;
    forward(authorization).then(
      (result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result)),
      (error: unknown) => res.writeHead(502).end(String(error)),
    );
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`LISTENING http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});
process.on('SIGTERM', () => {
  server.close();
  void Sentry.close(2_000).then(() => process.exit(0));
});
