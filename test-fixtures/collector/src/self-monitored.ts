// One collector as deployed, with its own telemetry on (self-telemetry.yaml),
// exporting kept traces, span metrics and its self-metrics to a loopback
// Telemetry API, optionally through a proxy that can make Google fail. What the
// API received is read back as timed points (each stamped with when it arrived),
// the input of the alert policies' evaluator.
import { createIssuer, startFakeMetadataServer, type FakeMetadataServer } from '@tracehop/fixture-gcp-fakes';
import type { TimedPoint } from './alert-series.js';
import { startFakeTelemetryApi, type FakeTelemetryApi, type StoredPoint } from './fake-telemetry-api.js';
import { startGoogleFaultProxy, type GoogleFaultProxy } from './google-fault-proxy.js';
import { startSingleTier, type LoopbackCollector } from './loopback-collector.js';
import { freePort } from './ports.js';

/** The self-metrics interval as deployed (self-telemetry.yaml), ms. */
export const DEPLOYED_SELF_METRICS_INTERVAL_MS = 30_000;
/** Project of the loopback Google side. */
export const SELF_MONITORED_PROJECT = 'tracehop-selfmon';

/** Options for {@link startSelfMonitoredCollector}. */
export interface SelfMonitoredOptions {
  /**
   * Test time runs this many times faster than policy time: the collector's
   * self-metrics interval is the deployed 30 s divided by it (alert-evaluate.ts).
   * @default 30
   */
  timeScale?: number;
  /** @default '2s' */
  decisionWait?: string;
  /** @default [] (only errors and slow traces are kept) */
  sampledTenants?: string[];
  /** Put the fault proxy between the collector and the API. @default false */
  faultProxy?: boolean;
  /** More overlays after self-telemetry.yaml (e.g. `test/small-export-queue.yaml`). @default [] */
  overlays?: string[];
  /** Extra environment for the collector. @default {} */
  env?: Record<string, string>;
  /** Share one metadata server (and so one Google project) between collectors. @default a new one */
  metadata?: FakeMetadataServer;
}

export interface SelfMonitoredCollector {
  readonly collector: LoopbackCollector;
  readonly api: FakeTelemetryApi;
  /** Present with `faultProxy: true`. */
  readonly proxy: GoogleFaultProxy | undefined;
  readonly timeScale: number;
  /** The collector's own metrics in Prometheus text (`<url>/metrics`, self-telemetry.yaml's pull reader). */
  readonly prometheusUrl: string;
  /** When the collector was ready (ms since the epoch). */
  readonly startedAtMs: number;
  /** Every point the API accepted so far, with its arrival time. */
  points(): Array<StoredPoint & TimedPoint>;
  stop(): Promise<void>;
}

export async function startSelfMonitoredCollector(options: SelfMonitoredOptions = {}): Promise<SelfMonitoredCollector> {
  const timeScale = options.timeScale ?? 30;
  const metadata =
    options.metadata ??
    (await startFakeMetadataServer({ issuer: createIssuer(), projectId: SELF_MONITORED_PROJECT, serviceAccountEmail: `otelcol@${SELF_MONITORED_PROJECT}.iam.gserviceaccount.com` }));
  const api = await startFakeTelemetryApi({ metadata });
  const proxy = options.faultProxy ? await startGoogleFaultProxy(api.url) : undefined;
  const arrivals = new WeakMap<StoredPoint, number>();
  // Stamp each point with when it arrived: the store keeps them in arrival order.
  let stamped = 0;
  const stamp = () => {
    const now = Date.now();
    for (; stamped < api.points.length; stamped++) arrivals.set(api.points[stamped]!, now);
  };
  const timer = setInterval(stamp, 50);
  let collector: LoopbackCollector;
  const [selfPort, prometheusPort] = [await freePort(), await freePort()];
  try {
    collector = await startSingleTier({
      decisionWait: options.decisionWait ?? '2s',
      sampledTenants: options.sampledTenants ?? [],
      traces: 'google',
      metrics: 'google',
      telemetryApiUrl: proxy?.url ?? api.url,
      metadata,
      overlays: ['self-telemetry.yaml', ...(options.overlays ?? [])],
      env: {
        SELF_TELEMETRY_PORT: String(selfPort),
        SELF_METRICS_PROMETHEUS_PORT: String(prometheusPort),
        SELF_METRICS_INTERVAL_MS: String(Math.round(DEPLOYED_SELF_METRICS_INTERVAL_MS / timeScale)),
        ...options.env,
      },
    });
  } catch (error) {
    clearInterval(timer);
    await proxy?.close();
    await api.stop();
    if (!options.metadata) await metadata.close();
    throw error;
  }
  return {
    collector,
    api,
    proxy,
    timeScale,
    prometheusUrl: `http://127.0.0.1:${prometheusPort}`,
    startedAtMs: Date.now(),
    points() {
      stamp();
      return api.points.map((point) => ({ ...point, arrivedAtMs: arrivals.get(point)! }));
    },
    async stop() {
      clearInterval(timer);
      await proxy?.close(); // releases hung requests first: a stop would wait out their timeout
      await collector.stop();
      await api.stop();
      if (!options.metadata) await metadata.close();
    },
  };
}
