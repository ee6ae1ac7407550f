// What Cloud Logging requires of a structured log line before it links it to a
// trace: the special JSON fields and the LogEntry field types they become.
//   special fields: https://cloud.google.com/logging/docs/structured-logging#special-payload-fields
//   field types:    https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry
// Used on the Kotlin fixture's lines and on the Node (pino `gcp`) lines alike.
import { GCP_SPAN_ID_KEY, GCP_TRACE_KEY, GCP_TRACE_SAMPLED_KEY } from './logs.js';

/** LogSeverity names (LogEntry reference, "LogSeverity"): anything else is not a severity Cloud Logging knows. */
export const LOG_SEVERITIES = ['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'] as const;

// LogEntry.trace: the trace ID (preferred) or the legacy `projects/[PROJECT_ID]/traces/[TRACE_ID]`;
// a W3C trace ID is 32 lowercase hex, not all zero.
const TRACE = /^(?:projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/traces\/)?(?!0{32})[0-9a-f]{32}$/;
// LogEntry.spanId: "16-character hexadecimal encoding of an 8-byte array", "should not be zero".
const SPAN_ID = /^(?!0{16})[0-9a-f]{16}$/;
// LogEntry.timestamp: RFC 3339, "Z" or an offset, 0-9 fractional digits.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Every way `entry` falls short of a structured entry that Cloud Logging shows
 * with its severity and message and joins to its trace; `[]` when none.
 * `requireTrace: false` accepts a line written outside any span (no trace fields at all).
 */
export function cloudLoggingEntryProblems(entry: unknown, options: { requireTrace?: boolean } = {}): string[] {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return ['not a JSON object'];
  const line = entry as Record<string, unknown>;
  const problems: string[] = [];
  if (!(LOG_SEVERITIES as readonly unknown[]).includes(line.severity)) problems.push(`severity ${JSON.stringify(line.severity)} is not a LogSeverity name`);
  if (typeof line.message !== 'string') problems.push('message is not a string');
  if (typeof line.time !== 'string' || !RFC3339.test(line.time)) problems.push(`time ${JSON.stringify(line.time)} is not RFC 3339`);
  const traced = [GCP_TRACE_KEY, GCP_SPAN_ID_KEY, GCP_TRACE_SAMPLED_KEY].filter((key) => key in line);
  if (traced.length === 0 && options.requireTrace === false) return problems;
  const trace = line[GCP_TRACE_KEY];
  if (typeof trace !== 'string' || !TRACE.test(trace)) problems.push(`${GCP_TRACE_KEY} ${JSON.stringify(trace)} is neither a trace ID nor projects/<id>/traces/<id>`);
  const spanId = line[GCP_SPAN_ID_KEY];
  if (typeof spanId !== 'string' || !SPAN_ID.test(spanId)) problems.push(`${GCP_SPAN_ID_KEY} ${JSON.stringify(spanId)} is not 16 hex digits`);
  if (typeof line[GCP_TRACE_SAMPLED_KEY] !== 'boolean') problems.push(`${GCP_TRACE_SAMPLED_KEY} ${JSON.stringify(line[GCP_TRACE_SAMPLED_KEY])} is not a boolean`);
  return problems;
}
