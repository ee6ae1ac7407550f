// Every default and fixed limit of the doctor in one place: the options, the
// CLI's usage text and the README all read them from here.

/** Defaults of {@link DoctorOptions} (and the CLI flags of the same names). */
export const DEFAULTS = {
  probes: 3,
  /** The port OTLP/HTTP exporters send to when given no endpoint. */
  otlpPort: 4318,
  tenantHeader: 'x-tenant-id',
  /** The OpenTelemetry SDKs' BatchSpanProcessor schedule delay (`OTEL_BSP_SCHEDULE_DELAY`): 5 s in Node, Java, Python and Go. */
  exportDelayMs: 5_000,
  /** Longest wait for a span the arrived spans announce; above a 10 s batch delay plus its export. */
  waitMs: 15_000,
  /** Settle: no new span for this long before the verdict. */
  settleMs: 1_000,
  requestTimeoutMs: 10_000,
  maxSpans: 50_000,
} as const;

/** Pause before each probe, so that late spans and log lines of one probe (or of earlier traffic) never fall in its window. */
export const PROBE_GAP_MS = 400;
/** How far apart two clocks on one host may be without being called skewed; also the slack of every probe window. */
export const CLOCK_SLACK_MS = 100;
/** Log lines this long after the response are still the probe's (a line written after the response went out). */
export const LOG_AFTER_MS = 250;
/** Skews beyond this are not measured (a clock that far off is a different problem, and the window search stays bounded). */
export const MAX_SKEW_MS = 10 * 60_000;
/** How often the wait looks at what arrived. */
export const POLL_MS = 100;

/** The baggage member every probe carries; a span or log line holding it means client baggage was trusted. */
export const MARKER_KEY = 'tracehop.doctor.probe';

/** Most log lines kept; older ones are dropped first. */
export const MAX_LOG_LINES = 200_000;
/** Longer log lines are skipped. */
export const MAX_LOG_LINE_LENGTH = 256 * 1024;
/** Largest OTLP request body read (compressed or not); bigger gets 413. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Nested attribute values deeper than this are dropped (a hostile export could nest without end). */
export const MAX_ATTRIBUTE_DEPTH = 8;

/** The path of the collector's self-metrics when `--collector-metrics` names none (its Prometheus reader serves `/metrics`). */
export const COLLECTOR_METRICS_PATH = '/metrics';
/** Longest a read of the collector's self-metrics may take. */
export const COLLECTOR_METRICS_TIMEOUT_MS = 5_000;
/** Largest self-metrics body read (a collector with every component serves well under 1 MiB). */
export const MAX_METRICS_BYTES = 4 * 1024 * 1024;
/** Most samples kept from one read. */
export const MAX_METRIC_SAMPLES = 20_000;
