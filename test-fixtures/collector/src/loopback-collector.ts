// The deployable configurations, run on loopback: every port, file and key an
// `${env:…}` reference in collector/config/*.yaml asks for, filled in for one
// test, with a loopback OIDC issuer whose JWKS the collector reads from a file,
// and a fake metadata server the googleclientauth extension gets its Google
// credentials from (it needs them at start, as on Cloud Run).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIssuer, startFakeMetadataServer, type FakeMetadataServer, type Issuer } from '@tracehop/fixture-gcp-fakes';
import { configPath } from './binary.js';
import { startCollector, type RunningCollector } from './collector-process.js';
import { freePorts } from './ports.js';

/** Options for {@link startSingleTier}. */
export interface SingleTierOptions {
  /**
   * tail_sampling `decision_wait`. Tests flush every service and then wait this
   * plus ~1.5 s; production needs more than the services' export delay.
   * @default '2s'
   */
  decisionWait?: string;
  /** @default 300 */
  slowThresholdMs?: number;
  /** @default ['hospital_a'] */
  sampledTenants?: string[];
  /**
   * Where kept traces go: a JSON-lines file (the `sink-traces.yaml` overlay), or
   * `'google'`: the deployable `otlp_http/google` exporter, at `telemetryApiUrl`.
   * @default 'file'
   */
  traces?: 'file' | 'google';
  /**
   * Where span metrics go: a JSON-lines file (the `sink-metrics.yaml` overlay), or
   * `'google'`: the deployable `otlp_http/google` exporter, at `telemetryApiUrl`.
   * @default 'file'
   */
  metrics?: 'file' | 'google';
  /**
   * The Telemetry API the `otlp_http/google` exporter writes to (a loopback
   * `startFakeTelemetryApi`'s `url`). Required when `traces` or `metrics` is `'google'`.
   */
  telemetryApiUrl?: string;
  /**
   * The metadata server the collector's googleclientauth takes its access tokens
   * from (GCE_METADATA_HOST). Pass the one a fake Telemetry API trusts.
   * @default a fresh one, closed with the collector
   */
  metadata?: FakeMetadataServer;
  /** More deployable overlays after cloud-run.yaml, e.g. `['sentry.yaml']`. @default [] */
  overlays?: string[];
  /**
   * Add the `oidc-auth.yaml` overlay: the collector verifies ID tokens itself
   * (audience {@link TEST_AUDIENCE}, this collector's loopback issuer), as on a
   * VM or GKE. Off: cloud-run.yaml as deployed behind Cloud Run IAM, no check.
   * @default false
   */
  oidc?: boolean;
  /** Extra environment (overrides). */
  env?: Record<string, string>;
}

export interface LoopbackCollector {
  /** Base URL of the OTLP/HTTP receiver, e.g. `http://127.0.0.1:4318` (append `/v1/traces`). */
  readonly otlpHttpUrl: string;
  /** The audience the collector's oidc extension requires (with `oidc: true`). */
  readonly audience: string;
  /** The issuer whose keys the collector trusts (a loopback stand-in for accounts.google.com). */
  readonly issuer: Issuer;
  /** Kept traces (file sink). */
  readonly tracesFile: string;
  /** Span metrics (file sink). */
  readonly metricsFile: string;
  readonly process: RunningCollector;
  /** The metadata server the collector's googleclientauth uses. */
  readonly metadata: FakeMetadataServer;
  /** A valid ID token for the collector (one hour). */
  token(): string;
  /** Stops the collector and removes its files. */
  stop(): Promise<void>;
}

export const TEST_AUDIENCE = 'https://tracehop-collector.test';

/** An ID token for `audience` valid for an hour, as the metadata server would mint it. */
export function validToken(issuer: Issuer, audience: string): string {
  const now = Math.floor(Date.now() / 1000);
  return issuer.sign({ aud: audience, iat: now, exp: now + 3600, sub: 'exporter@tracehop-test.iam.gserviceaccount.com' });
}

export async function startSingleTier(options: SingleTierOptions = {}): Promise<LoopbackCollector> {
  const dir = await mkdtemp(join(tmpdir(), 'tracehop-collector-'));
  const issuer = createIssuer();
  const [otlpPort, healthPort] = (await freePorts(2)) as [number, number];
  const tracesFile = join(dir, 'traces.jsonl');
  const metricsFile = join(dir, 'metrics.jsonl');
  const traces = options.traces ?? 'file';
  const metrics = options.metrics ?? 'file';
  if ((traces === 'google' || metrics === 'google') && !options.telemetryApiUrl) throw new Error('startSingleTier: telemetryApiUrl is required to export to Google');
  const metadata = options.metadata ?? (await startFakeMetadataServer({ issuer }));
  const env: Record<string, string> = {
    ...(options.oidc ? { COLLECTOR_AUDIENCE: TEST_AUDIENCE, OIDC_ISSUER: issuer.issuer, OIDC_JWKS_FILE: issuer.writeJwks(dir) } : {}),
    LISTEN_ADDRESS: '127.0.0.1',
    PORT: String(otlpPort),
    HEALTH_PORT: String(healthPort),
    DECISION_WAIT: options.decisionWait ?? '2s',
    SLOW_THRESHOLD_MS: String(options.slowThresholdMs ?? 300),
    SAMPLED_TENANTS: `[${(options.sampledTenants ?? ['hospital_a']).join(', ')}]`,
    SPANMETRICS_FLUSH_INTERVAL: '1s',
    GOOGLE_CLOUD_PROJECT: metadata.projectId,
    GOOGLE_CLOUD_REGION: 'europe-west1',
    // Go's metadata client (googleclientauth's credentials) reads only this.
    GCE_METADATA_HOST: metadata.host,
    ...(options.telemetryApiUrl ? { TELEMETRY_API_ENDPOINT: options.telemetryApiUrl } : {}),
    TRACES_FILE: tracesFile,
    METRICS_FILE: metricsFile,
    COLLECTOR_LOG_LEVEL: 'warn',
    ...options.env,
  };
  const overlays = [...(traces === 'file' ? ['test/sink-traces.yaml'] : []), ...(metrics === 'file' ? ['test/sink-metrics.yaml'] : [])];
  const configs = ['sampling.yaml', 'cloud-run.yaml', ...(options.oidc ? ['oidc-auth.yaml'] : []), ...(options.overlays ?? []), ...overlays];
  let collector: RunningCollector;
  try {
    collector = await startCollector({ configs: configs.map(configPath), env, healthPort });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if (!options.metadata) await metadata.close();
    throw error;
  }
  return {
    otlpHttpUrl: `http://127.0.0.1:${otlpPort}`,
    audience: TEST_AUDIENCE,
    issuer,
    tracesFile,
    metricsFile,
    process: collector,
    metadata,
    token: () => validToken(issuer, TEST_AUDIENCE),
    async stop() {
      await collector.stop();
      if (!options.metadata) await metadata.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
