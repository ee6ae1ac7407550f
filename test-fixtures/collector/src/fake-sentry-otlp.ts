// A loopback Sentry OTLP traces endpoint, answering the way Sentry's ingest
// (Relay) does. Each behaviour and its source (getsentry/relay):
// - Route `POST /api/<project_id>/integration/otlp/v1/traces`, with or without a
//   trailing slash (relay-server/src/endpoints/mod.rs); the DSN's project ID in
//   the path. Docs: https://docs.sentry.io/concepts/otlp/direct/traces and
//   .../otlp/forwarding/pipelines/collector (`traces_endpoint` = that URL,
//   header `x-sentry-auth: sentry sentry_key=<public key>`, `encoding: proto`).
// - Auth (relay-server/src/extractors/request_meta.rs `auth_from_parts`): the key
//   comes from `x-sentry-auth` or `Authorization` when the value starts with
//   "sentry " (any case), or a `sentry_key` query parameter; more than one source:
//   401 "multiple authorization payloads detected"; none: 401 "missing
//   authorization information"; a key that is not 32 ASCII characters: 400 "bad
//   sentry DSN public key" (relay-base-schema ProjectKey::parse). Error bodies are
//   `{"detail": ...}` (relay-server/src/utils/api.rs ApiErrorResponse).
// - A well-formed key that is not the project's is discarded with 403
//   (endpoints/common.rs: BadStoreRequest::EventRejected -> FORBIDDEN).
// - Content-Type application/json or application/x-protobuf, else 415
//   (endpoints/otlp_traces.rs); success is 202 Accepted with an empty body.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyError, readBody } from './http-body.js';
import { decodeRequest, encodingOf } from './otlp-proto.js';
import { storeSpans, type ReceivedSpan } from './telemetry-api-store.js';

/** Options for {@link startFakeSentryOtlp}. */
export interface FakeSentryOtlpOptions {
  /**
   * The Sentry project ID in the DSN and the endpoint path.
   * @default '4509000000000001'
   */
  projectId?: string;
  /**
   * The project's public key (32 hex characters, the DSN's user part).
   * @default a fixed test key
   */
  publicKey?: string;
}

/** One request as received. */
export interface SentryRequest {
  path: string;
  status: number;
  detail?: string;
  sentryAuth?: string;
}

export interface FakeSentryOtlp {
  readonly projectId: string;
  readonly publicKey: string;
  /** The OTLP traces endpoint Sentry shows under Client Keys (DSN), on loopback. */
  readonly tracesEndpoint: string;
  /** Every span accepted (Sentry's ingest has no `gcp.project_id`: `project` is empty). */
  readonly spans: ReceivedSpan[];
  readonly requests: SentryRequest[];
  stop(): Promise<void>;
}

export async function startFakeSentryOtlp(options: FakeSentryOtlpOptions = {}): Promise<FakeSentryOtlp> {
  const projectId = options.projectId ?? '4509000000000001';
  const publicKey = options.publicKey ?? '0123456789abcdef0123456789abcdef';
  const spans: ReceivedSpan[] = [];
  const requests: SentryRequest[] = [];

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://o1.ingest.sentry.io');
    const record: SentryRequest = { path: url.pathname, status: 0, ...(typeof request.headers['x-sentry-auth'] === 'string' ? { sentryAuth: request.headers['x-sentry-auth'] } : {}) };
    requests.push(record);
    const answer = (status: number, detail?: string): void => {
      Object.assign(record, { status, ...(detail ? { detail } : {}) });
      request.resume();
      if (detail) response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ detail }));
      else response.writeHead(status).end();
    };
    const route = /^\/api\/([^/]+)\/integration\/otlp\/v1\/traces\/?$/.exec(url.pathname);
    // Relay forwards unknown routes upstream, which answers 404 for them.
    if (!route || request.method !== 'POST') return answer(404, 'not found');

    const key = sentryKey(request, url);
    if (key.error !== undefined) return answer(key.status, key.error);
    // Relay's ProjectKey::parse: exactly 32 ASCII characters.
    if (key.value.length !== 32 || [...key.value].some((char) => char.charCodeAt(0) > 0x7f)) return answer(400, 'bad sentry DSN public key');
    if (key.value !== publicKey || route[1] !== projectId) return answer(403, 'event submission rejected with_reason: ProjectId');

    const encoding = encodingOf(request.headers['content-type']);
    if (!encoding) return answer(415);
    try {
      spans.push(...storeSpans(decodeRequest('traces', encoding, await readBody(request))).spans);
    } catch (error) {
      return answer(400, error instanceof BodyError ? error.message : 'invalid OTLP traces payload');
    }
    answer(202);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    projectId,
    publicKey,
    tracesEndpoint: `http://127.0.0.1:${port}/api/${projectId}/integration/otlp/v1/traces`,
    spans,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type KeyResult = { value: string; error?: undefined } | { value?: undefined; error: string; status: number };

/** The `sentry_key` of the one auth source a request may carry (Relay's rules). */
function sentryKey(request: IncomingMessage, url: URL): KeyResult {
  const sources: string[] = [];
  for (const name of ['x-sentry-auth', 'authorization']) {
    const value = request.headers[name];
    if (typeof value === 'string' && value.length >= 7 && value.slice(0, 7).toLowerCase() === 'sentry ') sources.push(value.slice(7));
  }
  if (url.search.includes('sentry_')) sources.push(url.search.slice(1).replace(/&/g, ','));
  if (sources.length > 1) return { error: 'multiple authorization payloads detected', status: 401 };
  if (sources.length === 0) return { error: 'missing authorization information', status: 401 };
  const pairs = sources[0]!.split(',').map((pair) => pair.trim().split('='));
  const key = pairs.find(([name]) => name === 'sentry_key')?.[1];
  if (key === undefined) return { error: 'bad x-sentry-auth header', status: 401 };
  return { value: key };
}
