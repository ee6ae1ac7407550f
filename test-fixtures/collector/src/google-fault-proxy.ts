// A loopback stand-in for a Google API having a bad day, in front of the
// loopback Telemetry API: per path it passes requests through, answers 503,
// answers 403 (the collector's account lost its permission), or hangs (accepts
// the request and never answers, until the mode changes or the proxy closes). 503 comes in Google's error shape with status UNAVAILABLE, the
// code Google APIs answer when "the service is currently unavailable"
// (https://cloud.google.com/apis/design/errors, "Error codes": UNAVAILABLE ↔ HTTP
// 503); the OTLP/HTTP spec makes 503 retryable
// (https://opentelemetry.io/docs/specs/otlp/#retryable-response-codes), and a
// request that never answers ends at the exporter's own timeout (cloud-run.yaml:
// 10 s) and is retried the same way. 403 PERMISSION_DENIED is Google's answer
// to a write without the permission (google-errors.ts); OTLP/HTTP does not
// retry it, the batch is dropped.
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { permissionDenied, sendGoogleError } from './google-errors.js';

/** What the proxy does with a request to a path. */
export type FaultMode = 'pass' | '503' | '403' | 'hang';

export interface GoogleFaultProxy {
  /** Point the collector's exporter here. */
  readonly url: string;
  /** Sets the mode for these paths (e.g. `['/v1/traces']`), or every path when omitted. Hung requests are released (reset) when a path leaves `hang`. */
  set(mode: FaultMode, paths?: string[]): void;
  /** Requests seen, with what the proxy did: `pass <status>`, `503`, `403`, `hang`. */
  readonly log: Array<{ path: string; atMs: number; outcome: string }>;
  close(): Promise<void>;
}

/** Starts the proxy in front of `targetUrl` (a loopback Telemetry API), every path passing through. */
export async function startGoogleFaultProxy(targetUrl: string): Promise<GoogleFaultProxy> {
  const target = new URL(targetUrl);
  const modes = new Map<string, FaultMode>();
  let defaultMode: FaultMode = 'pass';
  const hung = new Set<ServerResponse>();
  const log: GoogleFaultProxy['log'] = [];
  const modeOf = (path: string) => modes.get(path) ?? defaultMode;

  const forward = (incoming: IncomingMessage, response: ServerResponse, path: string) => {
    const outgoing = httpRequest(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        log.push({ path, atMs: Date.now(), outcome: `pass ${answer.statusCode}` });
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.on('error', () => response.destroy());
    incoming.pipe(outgoing);
  };

  const server = createServer((incoming, response) => {
    const path = new URL(incoming.url ?? '/', 'http://proxy').pathname;
    const mode = modeOf(path);
    if (mode === 'pass') return forward(incoming, response, path);
    log.push({ path, atMs: Date.now(), outcome: mode });
    incoming.resume();
    if (mode === '503') return sendGoogleError(response, { code: 503, status: 'UNAVAILABLE', message: 'The service is currently unavailable.' });
    if (mode === '403') return sendGoogleError(response, permissionDenied(path === '/v1/metrics' ? 'monitoring.timeSeries.create' : 'telemetry.traces.write', 'the-project'));
    hung.add(response);
    response.on('close', () => hung.delete(response));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const release = () => {
    for (const response of [...hung]) {
      const path = new URL(response.req.url ?? '/', 'http://proxy').pathname;
      if (modeOf(path) !== 'hang') response.destroy();
    }
  };
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    set(mode, paths) {
      if (paths) for (const path of paths) modes.set(path, mode);
      else {
        modes.clear();
        defaultMode = mode;
      }
      release();
    },
    async close() {
      for (const response of hung) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
