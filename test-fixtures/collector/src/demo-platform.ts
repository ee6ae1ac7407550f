// The Cloud Run platform `pnpm demo --collector` runs on: the collector image
// deployed from collector/deploy/service.yaml behind the emulated front end,
// with Google's side on loopback (metadata servers, the Telemetry API), and the
// hop-by-hop lines the demo prints from what each piece recorded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createIssuer, startFakeMetadataServer, type FakeMetadataServer, type FrontEndRecord, type Issuer } from '@tracehop/fixture-gcp-fakes';
import { collectorDir } from './binary.js';
import { runCloudRunService, parseServiceYaml, type RunningService } from './cloud-run-service.js';
import { startFakeTelemetryApi, type FakeTelemetryApi, type StoredPoint } from './fake-telemetry-api.js';
import { collectorImageLayout } from './oci-image.js';
import { freePorts } from './ports.js';
import type { SpanMetricSeries } from './span-metrics.js';

export const DEMO_PROJECT = 'hospital-saas-demo';
export const DEMO_REGION = 'europe-west1';
export const COLLECTOR_SA = `otelcol@${DEMO_PROJECT}.iam.gserviceaccount.com`;

export interface DemoPlatform {
  readonly issuer: Issuer;
  readonly service: RunningService;
  readonly telemetry: FakeTelemetryApi;
  /** The metadata server of the collector's own service account (access tokens for Google's API). */
  readonly collectorMetadata: FakeMetadataServer;
  /** Env changed from service.yaml for the demo (printed). */
  readonly overrides: Record<string, string>;
  stop(): Promise<void>;
}

/** Deploys service.yaml's image on loopback, with `overrides` over its env (the demo's short timings). */
export async function startDemoPlatform(invokers: string[], overrides: Record<string, string>): Promise<DemoPlatform> {
  const layout = collectorImageLayout();
  const issuer = createIssuer();
  const collectorMetadata = await startFakeMetadataServer({ issuer, projectId: DEMO_PROJECT, serviceAccountEmail: COLLECTOR_SA });
  const telemetry = await startFakeTelemetryApi({ metadata: collectorMetadata });
  const spec = parseServiceYaml(readFileSync(join(collectorDir, 'deploy/service.yaml'), 'utf8'), { __PROJECT_ID__: DEMO_PROJECT, __REGION__: DEMO_REGION, __IMAGE__: layout });
  spec.env = { ...spec.env, ...overrides };
  const [port, healthPort, selfPort, selfPrometheusPort] = (await freePorts(4)) as [number, number, number, number];
  const service = await runCloudRunService({
    spec,
    layout,
    issuer,
    invokers,
    port,
    portMap: { 13133: healthPort },
    secondMs: 100,
    // The self-telemetry ports too: fixed defaults (8889, 8888) would collide between collectors on one host.
    platformEnv: {
      LISTEN_ADDRESS: '127.0.0.1',
      HEALTH_PORT: String(healthPort),
      SELF_TELEMETRY_PORT: String(selfPort),
      SELF_METRICS_PROMETHEUS_PORT: String(selfPrometheusPort),
      GCE_METADATA_HOST: collectorMetadata.host,
      TELEMETRY_API_ENDPOINT: telemetry.url,
    },
  });
  await service.frontEnd.ready();
  return {
    issuer,
    service,
    telemetry,
    collectorMetadata,
    overrides,
    async stop() {
      await service.stop();
      await telemetry.stop();
      await collectorMetadata.close();
    },
  };
}

/** One line per (caller, verdict): service -> front end (allowed / denied and why) -> collector's answer. */
export function hopLines(records: FrontEndRecord[]): string[] {
  const groups = new Map<string, { count: number; statuses: Set<number> }>();
  for (const r of records.filter((record) => record.path === '/v1/traces')) {
    const who = r.decision.email ?? (r.decision.header ? 'an unverified token' : 'no token');
    const verdict = r.decision.allowed ? `allowed (${r.decision.reason}) -> collector` : `DENIED ${r.status} (${r.decision.reason})`;
    const key = `${who} -> front end: ${verdict}`;
    const group = groups.get(key) ?? { count: 0, statuses: new Set<number>() };
    group.count++;
    group.statuses.add(r.status);
    groups.set(key, group);
  }
  return [...groups].map(([key, { count, statuses }]) => `${key}${key.includes('-> collector') ? ` HTTP ${[...statuses].join('/')}` : ''}  x${count}`);
}

/** The Telemetry API's metric series as span-metrics series (labels are the span metrics' dimensions; `job` is service.name). */
export function seriesFromGoogle(points: StoredPoint[]): SpanMetricSeries[] {
  const latest = new Map<string, StoredPoint>();
  for (const point of points) latest.set(`${point.metric.type}|${point.resource.labels.job}|${point.resource.labels.instance}|${JSON.stringify(point.metric.labels)}`, point);
  return [...latest.values()]
    .filter((p) => /span\.metrics\.(calls|duration)/.test(p.metric.type))
    .map((p) => ({
      metric: p.metric.type.includes('duration') ? 'traces.span.metrics.duration' : 'traces.span.metrics.calls',
      attributes: { ...p.metric.labels, 'service.name': p.resource.labels.job },
      count: p.value,
      ...(p.bounds ? { bounds: p.bounds, buckets: p.buckets ?? [] } : {}),
    }));
}
