// Cloud Run's front end on loopback, in front of one container instance:
// the Invoker IAM check of a Google-signed ID token (cloud-run-front-end-iam.ts),
// the signature removed on the header it consumed, the trace headers it adds,
// HTTP/1.1 to the container unless end-to-end HTTP/2 (h2c), and the container's
// startup and liveness probes (cloud-run-front-end-probes.ts). Callers talk
// plain HTTP/1.1 to it on 127.0.0.1 where Google terminates TLS.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, Agent, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect as connectHttp2, constants, type ClientHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { decide, errorPage, withSignatureRemoved, type IamDecision } from './cloud-run-front-end-iam.js';
import { DEFAULT_STARTUP_PROBE, runProbe, type CloudRunProbe, type ProbeRecord } from './cloud-run-front-end-probes.js';
import type { Issuer } from './issuer.js';

/** Options for {@link startCloudRunFrontEnd}; names follow `gcloud run deploy` flags. */
export interface CloudRunFrontEndOptions {
  /** Google's signing keys (a loopback issuer). */
  issuer: Issuer;
  /** The port the container listens on: what Cloud Run passes as `PORT`. */
  containerPort: number;
  /** @default '127.0.0.1' */
  containerHost?: string;
  /** @default 'otelcol' */
  service?: string;
  /** @default '123456789012' */
  projectNumber?: string;
  /** The per-project hash in the non-deterministic URL. @default 'uc4kz3lb7q' */
  projectHash?: string;
  /** @default 'europe-west1' */
  region?: string;
  /** The region code in the non-deterministic URL. @default 'ew' */
  regionCode?: string;
  /** `--add-custom-audiences`: further accepted `aud` values. @default [] */
  customAudiences?: string[];
  /** `email`s bound to roles/run.invoker (`gcloud run services add-iam-policy-binding`). @default [] */
  invokers?: string[];
  /** false = `--no-invoker-iam-check`. @default true */
  invokerIamCheck?: boolean;
  /** `--use-http2`: h2c to the container instead of HTTP/1.1. @default false */
  http2?: boolean;
  /** The container's probes; without `startup`, Cloud Run's default TCP startup probe. */
  probes?: { startup?: CloudRunProbe; liveness?: CloudRunProbe };
  /** Milliseconds per Cloud Run second in probe timings (tests shrink it). @default 1000 */
  secondMs?: number;
  /** Called when a probe fails its threshold: the test restarts the container, then calls `restartInstance()`. */
  onUnhealthy?: (kind: 'startup' | 'liveness') => void;
}

/** One request as the front end handled it. */
export interface FrontEndRecord {
  method: string;
  path: string;
  status: number;
  decision: IamDecision;
  /** The credential headers as forwarded to the container (allowed requests only). */
  forwarded?: { authorization?: string; 'x-serverless-authorization'?: string; traceparent: string; 'x-cloud-trace-context': string };
}

export interface CloudRunFrontEnd {
  /** Where callers send requests (stands for the service's https URL). */
  readonly url: string;
  /** The service's two run.app URLs, each a valid audience. */
  readonly serviceUrls: { deterministic: string; hash: string };
  /** Every request handled, oldest first. */
  readonly requests: FrontEndRecord[];
  /** Every probe attempt, oldest first. */
  readonly probes: ProbeRecord[];
  /** Resolves when the startup probe has passed (requests wait for it, as on Cloud Run). */
  ready(): Promise<void>;
  /** Replaces the invoker bindings. */
  setInvokers(emails: string[]): void;
  /** Starts the probes again after the container was restarted (startup, then liveness). */
  restartInstance(): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'http2-settings', 'host']);

export async function startCloudRunFrontEnd(options: CloudRunFrontEndOptions): Promise<CloudRunFrontEnd> {
  const host = options.containerHost ?? '127.0.0.1';
  const service = options.service ?? 'otelcol';
  const region = options.region ?? 'europe-west1';
  // Both default URL forms: https://SERVICE-PROJECT_NUMBER.REGION.run.app (deterministic) and the
  // hash-based https://SERVICE-HASH-REGIONCODE.a.run.app (https://cloud.google.com/run/docs/triggering/https-request#deterministic).
  const serviceUrls = {
    deterministic: `https://${service}-${options.projectNumber ?? '123456789012'}.${region}.run.app`,
    hash: `https://${service}-${options.projectHash ?? 'uc4kz3lb7q'}-${options.regionCode ?? 'ew'}.a.run.app`,
  };
  const invokers = new Set(options.invokers ?? []);
  const policy = { issuer: options.issuer, audiences: [serviceUrls.deterministic, serviceUrls.hash, ...(options.customAudiences ?? [])], invokers, invokerIamCheck: options.invokerIamCheck ?? true };
  const requests: FrontEndRecord[] = [];
  const probes: ProbeRecord[] = [];
  const agent = new Agent({ keepAlive: true });
  let h2: ClientHttp2Session | undefined;
  let probeRun = new AbortController();
  let readyPromise: Promise<void>;

  function startProbes(): void {
    probeRun.abort();
    probeRun = new AbortController();
    const { signal } = probeRun;
    const run = (kind: 'startup' | 'liveness', probe: CloudRunProbe) =>
      runProbe(kind, probe, { host, port: options.containerPort }, { secondMs: options.secondMs ?? 1000, record: (entry) => probes.push(entry), signal });
    readyPromise = (async () => {
      while (!signal.aborted) {
        if (await run('startup', options.probes?.startup ?? DEFAULT_STARTUP_PROBE)) return;
        if (!signal.aborted) options.onUnhealthy?.('startup');
      }
    })();
    void readyPromise.then(async () => {
      // Liveness probes start once the startup probe has passed.
      if (!options.probes?.liveness || signal.aborted) return;
      if (!(await run('liveness', options.probes.liveness)) && !signal.aborted) options.onUnhealthy?.('liveness');
    });
  }
  startProbes();

  function traceHeaders(incoming: IncomingHttpHeaders): { traceparent: string; 'x-cloud-trace-context': string } {
    // The front end keeps a caller's trace ID and sampling flag, makes its own span the parent, and
    // sends both formats, X-Cloud-Trace-Context with the span ID in decimal
    // (https://cloud.google.com/run/docs/trace; the crafted headers of packages/gcp/test/cloud-run-edge.test.ts).
    const match = /^00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$/.exec(String(incoming.traceparent ?? ''));
    const traceId = match?.[1] ?? randomBytes(16).toString('hex');
    const sampled = match ? (parseInt(match[2]!, 16) & 1) === 1 : false;
    const spanId = randomBytes(8).toString('hex');
    return {
      traceparent: `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`,
      'x-cloud-trace-context': `${traceId}/${BigInt(`0x${spanId}`).toString()};o=${sampled ? 1 : 0}`,
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    const decision = decide(req.headers, policy);
    if (!decision.allowed) {
      req.resume();
      requests.push({ method: req.method ?? 'GET', path, status: decision.status, decision });
      res.writeHead(decision.status, { 'content-type': 'text/html; charset=UTF-8' }).end(errorPage(decision.status, path));
      return;
    }
    await readyPromise;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    if (decision.header) headers[decision.header] = withSignatureRemoved(String(headers[decision.header]));
    const trace = traceHeaders(req.headers);
    Object.assign(headers, trace, {
      // Cloud Run's front end is a proxy: the client address and the scheme it used
      // (https://cloud.google.com/run/docs/container-contract: requests arrive over HTTP from Google's front end).
      'x-forwarded-for': req.socket.remoteAddress ?? '127.0.0.1',
      'x-forwarded-proto': 'https',
    });
    const record: FrontEndRecord = {
      method: req.method ?? 'GET',
      path,
      status: 0,
      decision,
      forwarded: {
        ...(headers.authorization ? { authorization: String(headers.authorization) } : {}),
        ...(headers['x-serverless-authorization'] ? { 'x-serverless-authorization': String(headers['x-serverless-authorization']) } : {}),
        ...trace,
      },
    };
    requests.push(record);
    const fail = (error: Error) => {
      record.status = 503;
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' }).end(`upstream connect error: ${error.message}`);
      else res.destroy(error);
    };
    if (options.http2) forwardH2c(req, res, headers, record, fail);
    else {
      const upstream = request({ host, port: options.containerPort, method: req.method, path, headers, agent }, (answer) => {
        record.status = answer.statusCode ?? 502;
        res.writeHead(record.status, stripHopByHop(answer.headers));
        answer.pipe(res);
      });
      upstream.on('error', fail);
      req.pipe(upstream);
    }
  }

  function forwardH2c(req: IncomingMessage, res: ServerResponse, headers: Record<string, string | string[]>, record: FrontEndRecord, fail: (error: Error) => void): void {
    // --use-http2: "Google's frontend-serving infrastructure terminates TLS and then forwards the h2c
    // traffic to Cloud Run and to your container" (https://cloud.google.com/run/docs/configuring/http2).
    if (!h2 || h2.closed || h2.destroyed) {
      h2 = connectHttp2(`http://${host}:${options.containerPort}`);
      h2.on('error', () => undefined);
    }
    const stream = h2.request({ ...headers, [constants.HTTP2_HEADER_METHOD]: req.method ?? 'GET', [constants.HTTP2_HEADER_PATH]: req.url ?? '/' });
    stream.on('response', (answer) => {
      record.status = Number(answer[constants.HTTP2_HEADER_STATUS] ?? 502);
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer)) if (!name.startsWith(':') && value !== undefined) out[name] = value as string | string[];
      res.writeHead(record.status, out);
      stream.pipe(res);
    });
    stream.on('error', fail);
    req.pipe(stream);
  }

  const server = createServer((req, res) => void handle(req, res).catch((error: Error) => res.destroy(error)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serviceUrls,
    requests,
    probes,
    ready: () => readyPromise,
    setInvokers(emails) {
      invokers.clear();
      for (const email of emails) invokers.add(email);
    },
    restartInstance: startProbes,
    async close() {
      probeRun.abort();
      h2?.close();
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function stripHopByHop(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}
