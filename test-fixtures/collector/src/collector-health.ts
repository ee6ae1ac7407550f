// The collector's own health as an on-call engineer would read it off Cloud
// Monitoring: its self-metrics (self-telemetry.yaml) as the Telemetry API
// received them, summed over the collector's instances, and the alert policies
// of collector/alerts evaluated on them. `pnpm demo --collector` ends with it.
import { evaluatePolicy } from './alert-evaluate.js';
import { readAlertPolicies } from './alert-policy.js';
import type { TimedPoint } from './alert-series.js';
import { latest } from './telemetry-api-store.js';
import type { StoredPoint } from './fake-telemetry-api.js';

/** What the collector says about itself (sums over its instances of the latest cumulative values). */
export interface CollectorHealth {
  /** Spans its OTLP receiver accepted from the services. */
  spansReceived: number;
  /** Spans it refused (503: memory_limiter). */
  spansRefused: number;
  /** Traces tail sampling kept and dropped. */
  tracesKept: number;
  tracesDropped: number;
  /** Traces decided before decision_wait was over (num_traces full), and spans that arrived after their trace's decision. */
  tracesDroppedTooEarly: number;
  lateSpans: number;
  /** Spans sent to Google (kept traces), and spans the exporter dropped (gave up, refused for good, queue full). */
  spansExported: number;
  spansFailedToExport: number;
  /** Collector instances that reported (instance label of its self-metrics). */
  instances: number;
  /** The alert policies that fired over the window (display names). */
  firing: string[];
}

const PREFIX = 'prometheus.googleapis.com/';

/** Reads the health from the points a Telemetry API received; policies evaluated from `fromMs` (the run's start). */
export function collectorHealth(points: StoredPoint[], options: { fromMs: number; toMs?: number; timeScale: number }): CollectorHealth {
  const current = latest(points.filter((p) => p.metric.type.startsWith(`${PREFIX}otelcol_`)));
  const sum = (name: string, labels: Record<string, string> = {}) =>
    current
      .filter((p) => p.metric.type.startsWith(`${PREFIX}${name}/`) && Object.entries(labels).every(([k, v]) => p.metric.labels[k] === v))
      .reduce((n, p) => n + p.value, 0);
  const timed: TimedPoint[] = points;
  const firing = [...readAlertPolicies().values()]
    .filter((policy) => evaluatePolicy(policy, timed, { fromMs: options.fromMs, toMs: options.toMs ?? Date.now(), timeScale: options.timeScale }).fired)
    .map((policy) => policy.displayName);
  return {
    spansReceived: sum('otelcol_receiver_accepted_spans', { receiver: 'otlp' }),
    spansRefused: sum('otelcol_receiver_refused_spans', { receiver: 'otlp' }),
    tracesKept: sum('otelcol_processor_tail_sampling_global_count_traces_sampled', { sampled: 'true' }),
    tracesDropped: sum('otelcol_processor_tail_sampling_global_count_traces_sampled', { sampled: 'false' }),
    tracesDroppedTooEarly: sum('otelcol_processor_tail_sampling_sampling_trace_dropped_too_early'),
    lateSpans: sum('otelcol_processor_tail_sampling_early_releases_from_cache_decision'),
    spansExported: sum('otelcol_exporter_sent_spans', { exporter: 'otlp_http/google' }),
    spansFailedToExport: sum('otelcol_exporter_send_failed_spans', { exporter: 'otlp_http/google' }) + sum('otelcol_exporter_enqueue_failed_spans', { exporter: 'otlp_http/google' }),
    instances: new Set(current.map((p) => p.resource.labels.instance)).size,
    firing,
  };
}

/** The lines the demo prints. */
export function formatCollectorHealth(health: CollectorHealth): string[] {
  return [
    `the collector's own health (its self-metrics as Google received them, ${health.instances} instance${health.instances === 1 ? '' : 's'}):`,
    `  spans received ${health.spansReceived}, refused ${health.spansRefused}`,
    `  traces kept ${health.tracesKept}, dropped ${health.tracesDropped} (dropped before decision_wait ${health.tracesDroppedTooEarly}; spans after their decision ${health.lateSpans})`,
    `  spans exported to Google ${health.spansExported}, failed ${health.spansFailedToExport}`,
    `  alerts that would fire (collector/alerts): ${health.firing.length === 0 ? 'none' : health.firing.join('; ')}`,
  ];
}
