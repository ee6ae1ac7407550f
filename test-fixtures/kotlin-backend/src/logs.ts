// The fixture's Logback JSON lines (stderr), one object per line.

/** One log line written by the Kotlin fixture's JsonLayout. */
export interface KotlinLogLine {
  time: string;
  level: string;
  service: string;
  logger: string;
  thread: string;
  message: string;
  /** From the agent's logback-mdc instrumentation; null outside a span. */
  trace_id: string | null;
  span_id: string | null;
  trace_flags: string | null;
  /** Copied from baggage `tenant.id` by the fixture (explicit allow-list). */
  tenant_id: string | null;
  /** The fixture's own MDC key (coroutine service: carried by `MDCContext`); null elsewhere. */
  patient_id?: string | null;
  error?: string;
}

/** Parses a stderr line when it is one of the fixture's JSON log lines, else undefined. */
export function parseLogLine(line: string): KotlinLogLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as Partial<KotlinLogLine>;
    if (typeof value.message === 'string' && typeof value.level === 'string' && 'trace_id' in value) {
      return value as KotlinLogLine;
    }
  } catch {
    // Not ours (e.g. a partial line from the JVM): kept as raw stderr only.
  }
  return undefined;
}
