// What the collector says it did with spans, from its self-metrics (metric
// names of the collector v0.161.0 at the `normal` level, as its Prometheus
// reader serves them: otelcol_receiver_refused_spans, …): one snapshot before
// the probes, one after the wait, and the difference, which is the run's.
import type { CollectorCounts, CollectorSnapshot, ExporterCounts } from './collector-types.js';
import type { Sample } from './prometheus-text.js';

const EXPORTER = 'otelcol_exporter_';
const TAIL = 'otelcol_processor_tail_sampling_';

/** The collector's account in one set of samples. */
export function snapshotOf(samples: Sample[]): CollectorSnapshot {
  const sum = (name: string, match: Record<string, string> = {}) =>
    samples
      .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
      .reduce((n, s) => n + s.value, 0);
  const exporters: Record<string, ExporterCounts> = {};
  for (const s of samples.filter((x) => x.name.startsWith(EXPORTER) && x.labels.exporter !== undefined)) {
    const name = s.labels.exporter!;
    const spans = s.name.endsWith('_spans') || (s.name.startsWith(`${EXPORTER}queue_`) && s.labels.data_type === 'traces');
    if (!spans || exporters[name]) continue;
    const queue = (metric: string) =>
      samples.find((q) => q.name === metric && q.labels.exporter === name && q.labels.data_type === 'traces')?.value;
    exporters[name] = {
      sent: sum(`${EXPORTER}sent_spans`, { exporter: name }),
      sendFailed: sum(`${EXPORTER}send_failed_spans`, { exporter: name }),
      enqueueFailed: sum(`${EXPORTER}enqueue_failed_spans`, { exporter: name }),
      queueSize: queue(`${EXPORTER}queue_size`),
      queueCapacity: queue(`${EXPORTER}queue_capacity`),
    };
  }
  const tailSampling = samples.some((s) => s.name.startsWith(TAIL))
    ? {
        kept: sum(`${TAIL}global_count_traces_sampled`, { sampled: 'true' }),
        notKept: sum(`${TAIL}global_count_traces_sampled`, { sampled: 'false' }),
        droppedTooEarly: sum(`${TAIL}sampling_trace_dropped_too_early`),
        lateKept: sum(`${TAIL}early_releases_from_cache_decision`, { sampled: 'true' }),
        lateDropped: sum(`${TAIL}early_releases_from_cache_decision`, { sampled: 'false' }),
        undecided: sum(`${TAIL}sampling_traces_on_memory`),
      }
    : undefined;
  const target = samples.find((s) => s.name === 'target_info');
  return {
    instance: target?.labels.service_instance_id,
    version: target?.labels.service_version,
    counts: {
      accepted: sum('otelcol_receiver_accepted_spans'),
      refused: sum('otelcol_receiver_refused_spans'),
      failed: sum('otelcol_receiver_failed_spans'),
      memoryLimiterRefused: sum('otelcol_processor_memory_limiter_refused_spans'),
      exporters,
      tailSampling,
    },
  };
}

/** Every counter by a name of its own (gauges left out). */
function counters(c: CollectorCounts): Map<string, number> {
  const out = new Map<string, number>([
    ['accepted', c.accepted],
    ['refused', c.refused],
    ['failed', c.failed],
    ['memoryLimiterRefused', c.memoryLimiterRefused],
  ]);
  for (const [name, e] of Object.entries(c.exporters)) {
    for (const key of ['sent', 'sendFailed', 'enqueueFailed'] as const) out.set(`${name}/${key}`, e[key]);
  }
  for (const key of ['kept', 'notKept', 'droppedTooEarly', 'lateKept', 'lateDropped'] as const) {
    if (c.tailSampling) out.set(`tail/${key}`, c.tailSampling[key]);
  }
  return out;
}

/** Sets every counter of `into` to itself minus the same counter of `before` (absent there: 0). */
function subtract(into: CollectorCounts, before: Map<string, number>): CollectorCounts {
  const was = (key: string) => before.get(key) ?? 0;
  const exporters: Record<string, ExporterCounts> = {};
  for (const [name, e] of Object.entries(into.exporters)) {
    const since = (key: 'sent' | 'sendFailed' | 'enqueueFailed') => e[key] - was(`${name}/${key}`);
    exporters[name] = { ...e, sent: since('sent'), sendFailed: since('sendFailed'), enqueueFailed: since('enqueueFailed') };
  }
  const t = into.tailSampling;
  return {
    accepted: into.accepted - was('accepted'),
    refused: into.refused - was('refused'),
    failed: into.failed - was('failed'),
    memoryLimiterRefused: into.memoryLimiterRefused - was('memoryLimiterRefused'),
    exporters,
    tailSampling: t && {
      ...t,
      kept: t.kept - was('tail/kept'),
      notKept: t.notKept - was('tail/notKept'),
      droppedTooEarly: t.droppedTooEarly - was('tail/droppedTooEarly'),
      lateKept: t.lateKept - was('tail/lateKept'),
      lateDropped: t.lateDropped - was('tail/lateDropped'),
    },
  };
}

/**
 * The run's counts: `after` minus `before` (gauges as `after` read them). Counters only grow in one
 * process, so a new instance or a counter that went down means the collector restarted: the
 * counters began again, and the run's are `after`'s as they are (what the new process counted).
 */
export function runCounts(before: CollectorSnapshot, after: CollectorSnapshot): { counts: CollectorCounts; restarted: boolean } {
  const was = counters(before.counts);
  const now = counters(after.counts);
  const wentDown = [...was].some(([key, value]) => value > (now.get(key) ?? 0));
  const restarted = (before.instance !== undefined && after.instance !== before.instance) || wentDown;
  return { counts: restarted ? after.counts : subtract(after.counts, was), restarted };
}
