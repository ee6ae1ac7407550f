// The fixture's log lines: Cloud Logging structured entries on stdout, one JSON
// object per line, written by logstash-logback-encoder (src/main/resources/logback.xml).

/** Cloud Logging's special fields (https://cloud.google.com/logging/docs/structured-logging#special-payload-fields). */
export const GCP_TRACE_KEY = 'logging.googleapis.com/trace';
export const GCP_SPAN_ID_KEY = 'logging.googleapis.com/spanId';
export const GCP_TRACE_SAMPLED_KEY = 'logging.googleapis.com/trace_sampled';

/**
 * One line as the fixture writes it. Fields with no value are left out (the
 * encoder's `omitEmptyFields`): outside a span there is no trace field at all,
 * without a valid tenant no `tenant.id`.
 */
export interface KotlinLogLine {
  /** RFC 3339, UTC, nanosecond digits. */
  time: string;
  /** Cloud Logging LogSeverity name: logback WARN is written as `WARNING`, TRACE as `DEBUG`. */
  severity: string;
  message: string;
  /** The bare trace ID, or `projects/<id>/traces/<id>` with CLOUD_LOGGING_TRACE_PROJECT set. */
  [GCP_TRACE_KEY]?: string;
  [GCP_SPAN_ID_KEY]?: string;
  /** Bit 0 of the agent's trace flags, as a JSON boolean. */
  [GCP_TRACE_SAMPLED_KEY]?: boolean;
  /** The agent's `otel.service.name`. */
  service?: string;
  logger: string;
  thread: string;
  /** From the MDC key `tenant_id`, which the fixture copies from baggage `tenant.id`, validated (explicit allow-list); named like the span attribute and pino's field. */
  'tenant.id'?: string;
  /** The fixture's own MDC key (coroutine service: carried by `MDCContext`). */
  patient_id?: string;
  stack_trace?: string;
}

const PROJECT_TRACE = /^projects\/[^/]+\/traces\/([0-9a-f]{32})$/;

/** Parses a stdout line when it is one of the fixture's log entries, else undefined. */
export function parseLogLine(line: string): KotlinLogLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as Partial<KotlinLogLine> | null;
    if (value !== null && typeof value.message === 'string' && typeof value.severity === 'string') return value as KotlinLogLine;
  } catch {
    // Not ours (an OTLP span batch is told apart before this; anything else stays an app line).
  }
  return undefined;
}

/** The 32-hex trace ID a line names, in either form; undefined when it names none. */
export function traceIdOf(line: Partial<Record<typeof GCP_TRACE_KEY, unknown>>): string | undefined {
  const value = line[GCP_TRACE_KEY];
  if (typeof value !== 'string') return undefined;
  return PROJECT_TRACE.exec(value)?.[1] ?? value;
}

/** The span ID a line names, or undefined. */
export function spanIdOf(line: Partial<Record<typeof GCP_SPAN_ID_KEY, unknown>>): string | undefined {
  const value = line[GCP_SPAN_ID_KEY];
  return typeof value === 'string' ? value : undefined;
}
