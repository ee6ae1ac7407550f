// A loopback Telemetry (OTLP) API, telemetry.googleapis.com, as the collector's
// `otlp_http` exporter with the `googleclientauth` extension meets it. Each
// behaviour and its source:
// - `POST /v1/traces`, `/v1/metrics` and `/v1/logs` take the OTLP Export*ServiceRequest
//   and answer the matching Export*ServiceResponse, full or partial success
//   (https://docs.cloud.google.com/stackdriver/docs/reference/telemetry/v1.traces.post,
//   .../v1.metrics.post, .../v1.logs.post, which also name the scopes); http/protobuf and http/json bodies, gzip or not
//   (https://docs.cloud.google.com/stackdriver/docs/otlp/overview, "Protocol support").
// - Credentials: an OAuth 2.0 access token in `Authorization: Bearer` — here one
//   the fake metadata server handed out (its registry plays Google's token check);
//   anything else gets Google's 401 (google-errors.ts). Scopes: traces need
//   trace.append, metrics monitoring.write, logs logging.write, or cloud-platform
//   (the .post pages, "Authorization scopes").
// - Quota project: `X-Goog-User-Project` (what googleclientauth's `quota_project`
//   sets; GoogleCloudPlatform/opentelemetry-operations-go
//   extension/googleclientauthextension/http.go at v0.59.0) must be a project the
//   caller may use (serviceusage.services.use), else 403 USER_PROJECT_DENIED;
//   without it a service account's own project is the quota project
//   (https://cloud.google.com/docs/quotas/set-quota-project).
// - Destination: every resource must carry `gcp.project_id` ("When sending
//   telemetry to the GCP OTLP endpoint, the gcp.project_id resource attribute is
//   required", GoogleCloudPlatform/otlp-k8s-ingest config/collector.yaml), else
//   400 (status ours); the caller needs write permission there, else 403.
// - Metrics land as Prometheus series under `prometheus_target` (prometheus-target.ts);
//   points Google would reject are counted in `partial_success`.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeMetadataServer } from '@tracehop/fixture-gcp-fakes';
import * as errors from './google-errors.js';
import { BodyError, readBody } from './http-body.js';
import { matchesFilter, type SeriesIdentity } from './monitoring-filter.js';
import { decodeRequest, encodeResponse, encodingOf, type Signal } from './otlp-proto.js';
import { authenticate } from './access-token-check.js';
import { latest, storeLogs, storeMetrics, storeSpans, type ReceivedLog, type ReceivedSpan, type StoredPoint } from './telemetry-api-store.js';

export type { ReceivedLog, ReceivedSpan, StoredPoint } from './telemetry-api-store.js';

const SCOPES: Record<Signal, string[]> = {
  traces: ['https://www.googleapis.com/auth/trace.append', 'https://www.googleapis.com/auth/cloud-platform'],
  metrics: ['https://www.googleapis.com/auth/monitoring.write', 'https://www.googleapis.com/auth/cloud-platform'],
  logs: ['https://www.googleapis.com/auth/logging.write', 'https://www.googleapis.com/auth/cloud-platform'],
};
const PERMISSION: Record<Signal, string> = { traces: 'telemetry.traces.write', metrics: 'monitoring.timeSeries.create', logs: 'logging.logEntries.create' };
const PATHS: Record<string, Signal> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };

/** Options for {@link startFakeTelemetryApi}. */
export interface FakeTelemetryApiOptions {
  /** The metadata server whose access tokens this API accepts. */
  metadata: FakeMetadataServer;
  /**
   * Projects each service account may write traces and metrics to.
   * @default { [metadata.serviceAccountEmail]: [metadata.projectId] }
   */
  writers?: Record<string, string[]>;
  /**
   * Projects each service account may use as quota project (`X-Goog-User-Project`).
   * @default the same as `writers`
   */
  quotaUsers?: Record<string, string[]>;
}

/** One request as received, for assertions on the headers the collector sent. */
export interface TelemetryApiRequest {
  path: string;
  status: number;
  /** Google's `status` string for a refusal (`UNAUTHENTICATED`, `PERMISSION_DENIED`, …). */
  error?: string;
  reason?: string;
  authorization?: string;
  /** `X-Goog-User-Project`. */
  quotaProjectHeader?: string;
  /** `X-Goog-Project-ID` (googleclientauth sends its `project`). */
  projectIdHeader?: string;
  contentType?: string;
  contentEncoding?: string;
}

export interface FakeTelemetryApi {
  /** `http://127.0.0.1:<port>`, the exporter's endpoint (it appends /v1/traces, /v1/metrics). */
  readonly url: string;
  /** Every span accepted. */
  readonly spans: ReceivedSpan[];
  /** Every log record accepted (`POST /v1/logs`: scope logging.write or cloud-platform). */
  readonly logs: ReceivedLog[];
  /** Every metric point accepted, in arrival order. */
  readonly points: StoredPoint[];
  /** Points refused inside accepted requests (`partial_success`), with the reason. */
  readonly rejectedPoints: Array<{ metric: string; reason: string }>;
  readonly requests: TelemetryApiRequest[];
  /** The latest point of every series (cumulative: its total), optionally only those a Cloud Monitoring filter selects. */
  latestSeries(filter?: string): StoredPoint[];
  stop(): Promise<void>;
}

export async function startFakeTelemetryApi(options: FakeTelemetryApiOptions): Promise<FakeTelemetryApi> {
  const { metadata } = options;
  const writers = options.writers ?? { [metadata.serviceAccountEmail]: [metadata.projectId] };
  const quotaUsers = options.quotaUsers ?? writers;
  const spans: ReceivedSpan[] = [];
  const points: StoredPoint[] = [];
  const logs: ReceivedLog[] = [];
  const rejectedPoints: Array<{ metric: string; reason: string }> = [];
  const requests: TelemetryApiRequest[] = [];

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://telemetry.googleapis.com').pathname;
    const record: TelemetryApiRequest = {
      path,
      status: 0,
      ...header(request, 'authorization', 'authorization'),
      ...header(request, 'x-goog-user-project', 'quotaProjectHeader'),
      ...header(request, 'x-goog-project-id', 'projectIdHeader'),
      ...header(request, 'content-type', 'contentType'),
      ...header(request, 'content-encoding', 'contentEncoding'),
    };
    requests.push(record);
    const refuse = (error: errors.GoogleError): void => {
      Object.assign(record, { status: error.code, error: error.status, ...(error.reason ? { reason: error.reason } : {}) });
      request.resume();
      errors.sendGoogleError(response, error);
    };
    const signal: Signal | undefined = PATHS[path];
    if (!signal || request.method !== 'POST') return refuse(errors.notFound(path));

    const caller = authenticate(request.headers.authorization, metadata);
    if ('code' in caller) return refuse(caller);
    if (!caller.scopes.some((scope) => SCOPES[signal].includes(scope))) return refuse(errors.insufficientScopes());
    const quotaProject = record.quotaProjectHeader ?? /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(caller.email)?.[1] ?? '';
    if (record.quotaProjectHeader !== undefined && !(quotaUsers[caller.email] ?? []).includes(quotaProject)) return refuse(errors.userProjectDenied(quotaProject));

    const encoding = encodingOf(record.contentType);
    if (!encoding) return refuse(errors.invalidArgument(`Content-Type ${record.contentType ?? '(none)'} is neither application/x-protobuf nor application/json`));
    let decoded: unknown;
    try {
      decoded = decodeRequest(signal, encoding, await readBody(request));
    } catch (error) {
      return refuse(errors.invalidArgument(error instanceof BodyError ? error.message : `Invalid OTLP ${signal} payload: ${(error as Error).message}`));
    }
    const stored = signal === 'traces' ? storeSpans(decoded) : signal === 'metrics' ? storeMetrics(decoded) : storeLogs(decoded);
    if (stored.missingProject) return refuse(errors.invalidArgument('Resource attribute gcp.project_id is required on every resource.'));
    const denied = stored.projects.find((project) => !(writers[caller.email] ?? []).includes(project));
    if (denied !== undefined) return refuse(errors.permissionDenied(PERMISSION[signal], denied));

    spans.push(...stored.spans);
    points.push(...stored.points);
    logs.push(...stored.logs);
    rejectedPoints.push(...stored.rejected);
    record.status = 200;
    const partial = stored.rejected.length > 0 ? { rejected: stored.rejected.length, message: stored.rejected.map((r) => r.reason).join('; ') } : undefined;
    response.writeHead(200, { 'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf' }).end(encodeResponse(signal, encoding, partial));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) errors.sendGoogleError(response, { code: 500, status: 'INTERNAL', message: String(error) });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    logs,
    points,
    rejectedPoints,
    requests,
    latestSeries: (filter) => latest(points).filter((point) => filter === undefined || matchesFilter(filter, point as SeriesIdentity)),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function header<K extends string>(request: IncomingMessage, name: string, key: K): Partial<Record<K, string>> {
  const value = request.headers[name];
  return typeof value === 'string' ? ({ [key]: value } as Record<K, string>) : {};
}
