// Trace and span IDs in the shapes log backends link to traces.

const UINT64_MAX = (1n << 64n) - 1n;

/** Unsigned 64-bit decimal of a 16-hex span ID (Datadog, `X-Cloud-Trace-Context`). */
export function spanIdToDecimal(spanId: string): string {
  return BigInt(`0x${spanId}`).toString();
}

/**
 * 16-hex span ID from an unsigned 64-bit decimal; `undefined` when the value is
 * zero or does not fit in 64 bits.
 */
export function decimalToSpanId(decimal: string): string | undefined {
  if (!/^[0-9]{1,20}$/.test(decimal)) return undefined;
  const value = BigInt(decimal);
  if (value === 0n || value > UINT64_MAX) return undefined;
  return value.toString(16).padStart(16, '0');
}

/**
 * Datadog's `dd.trace_id`: the unsigned decimal of the low 64 bits of a
 * 128-bit trace ID (where OTel puts the randomness, so 64- and 128-bit IDs match).
 */
export function traceIdToDatadog(traceId: string): string {
  return BigInt(`0x${traceId.slice(-16)}`).toString();
}

/**
 * Cloud Logging's `logging.googleapis.com/trace`: the bare trace ID (what the
 * LogEntry reference now recommends), or the `projects/<id>/traces/<trace>`
 * resource name when a project is given.
 */
export function traceIdToCloudLogging(traceId: string, projectId?: string): string {
  return projectId ? `projects/${projectId}/traces/${traceId}` : traceId;
}
