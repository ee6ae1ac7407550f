import { createContextKey, trace, type Context, type SpanContext } from '@opentelemetry/api';

/**
 * W3C Trace Context Level 2's `random` flag (0x02): the caller promises the
 * trace ID's right-most 7 bytes are random. The flag belongs to the trace ID,
 * so every `traceparent` sent for that trace carries it on. OpenTelemetry JS
 * does not: a child span's flags hold only the sampling decision. tracehop
 * remembers which trace ID arrived with the flag, and restores the flag when
 * writing that same trace ID; a trace it started itself (or restarted for an
 * untrusted caller) never claims it. What the SDK records is untouched.
 */
export const RANDOM_TRACE_FLAG = 0x02;

const RANDOM_TRACE_ID = createContextKey('tracehop.w3c.random-trace-id');

/** `context`, remembering that `remote`'s trace ID came with the random flag. */
export function rememberRandomFlag(context: Context, remote: SpanContext): Context {
  return remote.traceFlags & RANDOM_TRACE_FLAG ? context.setValue(RANDOM_TRACE_ID, remote.traceId) : context;
}

/**
 * The context to write outbound: the same one, unless its span's trace ID
 * arrived with the random flag and the span's flags lost it. Only the flags
 * of what is written change; the span in `context` is not touched.
 */
export function withRandomFlag(context: Context): Context {
  const randomTraceId = context.getValue(RANDOM_TRACE_ID);
  if (randomTraceId === undefined) return context;
  const spanContext = trace.getSpanContext(context);
  if (!spanContext || spanContext.traceId !== randomTraceId || spanContext.traceFlags & RANDOM_TRACE_FLAG) return context;
  return trace.setSpanContext(context, { ...spanContext, traceFlags: spanContext.traceFlags | RANDOM_TRACE_FLAG });
}
