// The shapes of the collector's part of the report: what it counted (from its
// self-metrics), over the run, and what the doctor makes of it.
import type { Break } from './break.js';

/** One exporter's spans (traces pipelines). */
export interface ExporterCounts {
  /** Spans it delivered. */
  sent: number;
  /** Spans it gave up on: retries exhausted, or refused for good by its destination. */
  sendFailed: number;
  /** Spans it could not queue (its sending queue was full). */
  enqueueFailed: number;
  /** Batches in its queue after the run, and the queue's capacity (gauges). */
  queueSize?: number | undefined;
  queueCapacity?: number | undefined;
}

/** The tail_sampling processor's account. */
export interface TailSamplingCounts {
  /** Traces its policies kept, and decided not to keep. */
  kept: number;
  notKept: number;
  /** Traces gone from memory before their decision (more undecided traces than `num_traces`): every span of them lost. */
  droppedTooEarly: number;
  /** Spans that arrived after their trace's decision: passed on (trace kept) or dropped (trace not kept). */
  lateKept: number;
  lateDropped: number;
  /** Traces still in memory waiting for their decision when the run ended (a gauge). */
  undecided: number;
}

/** Spans as the collector counted them, summed over its components. */
export interface CollectorCounts {
  /** Spans its receivers accepted from the services. */
  accepted: number;
  /** Spans its receivers answered with a retryable error (the memory_limiter over its soft limit, a full pipeline). */
  refused: number;
  /** Spans its receivers took in but could not pass on, for good. */
  failed: number;
  /** Spans the memory_limiter refused, counted once in each pipeline it guards. */
  memoryLimiterRefused: number;
  /** Per exporter, by its name in the configuration (`otlp_http/google`). */
  exporters: Record<string, ExporterCounts>;
  /** Absent when the collector runs no tail_sampling processor. */
  tailSampling?: TailSamplingCounts | undefined;
}

/** One read of the endpoint. */
export interface CollectorSnapshot {
  /** `service_instance_id` of `target_info`: a new one means a new process. */
  instance?: string | undefined;
  /** `service_version` of `target_info`. */
  version?: string | undefined;
  counts: CollectorCounts;
}

/** The collector's part of the report (`--collector-metrics`). */
export interface CollectorReport {
  /** The self-metrics endpoint read. */
  url: string;
  /** The collector's `service_instance_id` and `service_version` after the run (before, if it could not be read then). */
  instance?: string | undefined;
  version?: string | undefined;
  /** True when the collector restarted during the run (a new instance, or its counters began again). */
  restarted: boolean;
  /** Why the endpoint could not be read after the run, if it could not. */
  error?: string | undefined;
  /** What it counted during the run: from before the first probe to the end of the wait. */
  counts?: CollectorCounts | undefined;
  /**
   * What it lost or held back during the run, each a break on `collector` (see the README): `collector-refused`,
   * `collector-export-failed`, `collector-dropped`, `collector-restarted`; and `collector-not-sampled`,
   * `collector-undecided`, which lose nothing but explain a probe whose spans never came.
   */
  findings: Break[];
}
