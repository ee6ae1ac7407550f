// The deployable configurations, run on loopback: every port, file and key an
// `${env:…}` reference in collector/config/*.yaml asks for, filled in for one
// test, with a loopback OIDC issuer whose JWKS the collector reads from a file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIssuer, type Issuer } from '@tracehop/fixture-gcp-fakes';
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
   * the deployable googlecloud exporter pointed at this `host:port` (a loopback Cloud Trace).
   * @default 'file'
   */
  traces?: 'file' | { cloudTraceAddress: string };
  /**
   * Where span metrics go: a JSON-lines file (the `sink-metrics.yaml` overlay), or
   * the deployable googlecloud exporter pointed at this `host:port` (a loopback Cloud Monitoring).
   * @default 'file'
   */
  metrics?: 'file' | { cloudMonitoringAddress: string };
  /** Extra environment (overrides). */
  env?: Record<string, string>;
}

export interface LoopbackCollector {
  /** Base URL of the OTLP/HTTP receiver, e.g. `http://127.0.0.1:4318` (append `/v1/traces`). */
  readonly otlpHttpUrl: string;
  /** The audience the collector's oidc extension requires. */
  readonly audience: string;
  /** The issuer whose keys the collector trusts (a loopback stand-in for accounts.google.com). */
  readonly issuer: Issuer;
  /** Kept traces (file sink). */
  readonly tracesFile: string;
  /** Span metrics (file sink). */
  readonly metricsFile: string;
  readonly process: RunningCollector;
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
  const env: Record<string, string> = {
    COLLECTOR_AUDIENCE: TEST_AUDIENCE,
    OIDC_ISSUER: issuer.issuer,
    OIDC_JWKS_FILE: issuer.writeJwks(dir),
    OTLP_HTTP_ENDPOINT: `127.0.0.1:${otlpPort}`,
    HEALTH_ENDPOINT: `127.0.0.1:${healthPort}`,
    DECISION_WAIT: options.decisionWait ?? '2s',
    SLOW_THRESHOLD_MS: String(options.slowThresholdMs ?? 300),
    SAMPLED_TENANTS: `[${(options.sampledTenants ?? ['hospital_a']).join(', ')}]`,
    SPANMETRICS_FLUSH_INTERVAL: '1s',
    GOOGLE_CLOUD_PROJECT: 'tracehop-test',
    TRACES_FILE: tracesFile,
    METRICS_FILE: metricsFile,
    COLLECTOR_LOG_LEVEL: 'warn',
    ...(traces === 'file' ? {} : { CLOUD_TRACE_ENDPOINT: traces.cloudTraceAddress, CLOUD_TRACE_INSECURE: 'true' }),
    ...(metrics === 'file' ? {} : { CLOUD_MONITORING_ENDPOINT: metrics.cloudMonitoringAddress, CLOUD_MONITORING_INSECURE: 'true' }),
    ...options.env,
  };
  const overlays = [...(traces === 'file' ? ['test/sink-traces.yaml'] : []), ...(metrics === 'file' ? ['test/sink-metrics.yaml'] : [])];
  const configs = ['sampling.yaml', 'cloud-run.yaml', ...overlays];
  let collector: RunningCollector;
  try {
    collector = await startCollector({ configs: configs.map(configPath), env, healthPort });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    otlpHttpUrl: `http://127.0.0.1:${otlpPort}`,
    audience: TEST_AUDIENCE,
    issuer,
    tracesFile,
    metricsFile,
    process: collector,
    token: () => validToken(issuer, TEST_AUDIENCE),
    async stop() {
      await collector.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
