// The part of Cloud Run's front end a rollout needs, on loopback: one service
// URL, and the revision that gets each new request. Once the new revision is
// ready Cloud Run sends it all new requests (100 % of traffic by default,
// https://cloud.google.com/run/docs/rollouts-rollbacks-traffic-migration), while
// requests already in flight on the old one finish there; the old instances then
// get SIGTERM and 10 s before SIGKILL
// (https://cloud.google.com/run/docs/container-contract#instance-shutdown).
// A request whose revision refuses the connection (stopped) answers 503, as the
// front end does when no instance can take it. IAM is not modelled here
// (startCloudRunFrontEnd does that); this is only the routing.
import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RevisionRouter {
  /** The service URL the services export to. */
  readonly url: string;
  /** New requests go to this revision (its base URL) from now on. */
  route(revisionUrl: string): void;
  /** Requests per revision URL, and their answers (`<status>` or `503 unreachable`). */
  readonly log: Array<{ revision: string; atMs: number; status: string }>;
  close(): Promise<void>;
}

export async function startRevisionRouter(firstRevisionUrl: string): Promise<RevisionRouter> {
  let current = new URL(firstRevisionUrl);
  const log: RevisionRouter['log'] = [];
  const server = createServer((incoming, response) => {
    const target = current;
    const outgoing = httpRequest({ host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
      log.push({ revision: target.origin, atMs: Date.now(), status: String(answer.statusCode) });
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    outgoing.on('error', () => {
      log.push({ revision: target.origin, atMs: Date.now(), status: '503 unreachable' });
      if (!response.headersSent) response.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      else response.destroy();
    });
    incoming.pipe(outgoing);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    route: (revisionUrl) => void (current = new URL(revisionUrl)),
    log,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
