// The two-tier layout on loopback: tier 1 (tier1-loadbalancer.yaml, oidc,
// load_balancing by trace ID) in front of N sampling instances
// (tier2-sampling.yaml), each writing what it keeps to its own file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIssuer } from '@tracehop/fixture-gcp-fakes';
import { configPath } from './binary.js';
import { startCollector, type RunningCollector } from './collector-process.js';
import { TEST_AUDIENCE, validToken } from './loopback-collector.js';
import { freePorts } from './ports.js';

/** Options for {@link startTwoTier}. */
export interface TwoTierOptions {
  /** @default 2 */
  samplingInstances?: number;
  /** @default '2s' */
  decisionWait?: string;
  /** @default ['hospital_a'] */
  sampledTenants?: string[];
  /** The latency policy's threshold. @default 1000 */
  slowThresholdMs?: number;
}

export interface SamplingInstance {
  readonly process: RunningCollector;
  /** What this instance kept (file sink). */
  readonly tracesFile: string;
}

export interface TwoTier {
  /** Tier 1's OTLP/HTTP base URL. */
  readonly otlpHttpUrl: string;
  /** Every span tier 1 received (before routing). */
  readonly receivedFile: string;
  readonly tier1: RunningCollector;
  readonly sampling: SamplingInstance[];
  /** A valid ID token for tier 1. */
  token(): string;
  stop(): Promise<void>;
}

export async function startTwoTier(options: TwoTierOptions = {}): Promise<TwoTier> {
  const dir = await mkdtemp(join(tmpdir(), 'tracehop-two-tier-'));
  const issuer = createIssuer();
  const count = options.samplingInstances ?? 2;
  const ports = await freePorts(2 + 2 * count);
  const started: RunningCollector[] = [];
  try {
    const sampling: SamplingInstance[] = [];
    const addresses: string[] = [];
    for (let i = 0; i < count; i++) {
      const [grpcPort, healthPort] = [ports[2 + 2 * i]!, ports[3 + 2 * i]!];
      const tracesFile = join(dir, `tier2-${i}-traces.jsonl`);
      const process = await startCollector({
        configs: ['sampling.yaml', 'tier2-sampling.yaml', 'test/sink-traces.yaml', 'test/sink-metrics.yaml'].map(configPath),
        healthPort,
        env: {
          OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpcPort}`,
          HEALTH_ENDPOINT: `127.0.0.1:${healthPort}`,
          DECISION_WAIT: options.decisionWait ?? '2s',
          SLOW_THRESHOLD_MS: String(options.slowThresholdMs ?? 1000),
          SAMPLED_TENANTS: `[${(options.sampledTenants ?? ['hospital_a']).join(', ')}]`,
          GOOGLE_CLOUD_PROJECT: 'tracehop-test',
          TRACES_FILE: tracesFile,
          METRICS_FILE: join(dir, `tier2-${i}-metrics.jsonl`),
          COLLECTOR_LOG_LEVEL: 'warn',
        },
      });
      started.push(process);
      sampling.push({ process, tracesFile });
      addresses.push(`127.0.0.1:${grpcPort}`);
    }
    const [httpPort, healthPort] = [ports[0]!, ports[1]!];
    const receivedFile = join(dir, 'tier1-received.jsonl');
    const tier1 = await startCollector({
      configs: ['tier1-loadbalancer.yaml', 'test/sink-all-traces.yaml'].map(configPath),
      healthPort,
      env: {
        COLLECTOR_AUDIENCE: TEST_AUDIENCE,
        OIDC_ISSUER: issuer.issuer,
        OIDC_JWKS_FILE: issuer.writeJwks(dir),
        OTLP_HTTP_ENDPOINT: `127.0.0.1:${httpPort}`,
        HEALTH_ENDPOINT: `127.0.0.1:${healthPort}`,
        SAMPLING_TIER_HOSTNAMES: `[${addresses.join(', ')}]`,
        RECEIVED_FILE: receivedFile,
        COLLECTOR_LOG_LEVEL: 'warn',
      },
    });
    started.push(tier1);
    return {
      otlpHttpUrl: `http://127.0.0.1:${httpPort}`,
      receivedFile,
      tier1,
      sampling,
      token: () => validToken(issuer, TEST_AUDIENCE),
      async stop() {
        await Promise.all(started.map((process) => process.stop()));
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(started.map((process) => process.stop()));
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
