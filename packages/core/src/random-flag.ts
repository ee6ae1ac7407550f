import { trace, type Context, type SpanContext } from '@opentelemetry/api';
import { RANDOM_TRACE_ID_KEY } from './context-keys.js';

/**
 * W3C Trace Context Level 2's `random` flag (0x02): the caller promises the
 * trace ID's right-most 7 bytes are random. The flag belongs to the trace ID,
 * so every `traceparent` sent for that trace carries it on. OpenTelemetry JS
 * does not: a child span's flags hold only the sampling decision. tracehop
 * remembers which trace ID arrived with the flag, and restores the flag when
 * writing that same trace ID; a trace it started itself (or restarted for an
 * untrusted caller) never claims it. What the SDK records is untouched.
 */
const RANDOM_TRACE_FLAG = 0x02;

/** `context`, remembering that `remote`'s trace ID came with the random flag. */
export function rememberRandomFlag(context: Context, remote: SpanContext): Context {
  return remote.traceFlags & RANDOM_TRACE_FLAG ? context.setValue(RANDOM_TRACE_ID_KEY, remote.traceId) : context;
}

/** The flags W3C Trace Context defines (sampled, random); the others are reserved: sent as zero. */
const KNOWN_FLAGS = 0x03;

/**
 * The context to write outbound: the same one, unless its span's flags need
 * fixing. The random flag comes back when the span's trace ID arrived with it
 * and the span's flags lost it; reserved bits a caller set are cleared (W3C:
 * "vendors MUST set those to zero"), which matters when no SDK is registered
 * and the caller's own span context is what goes on. Only the flags of what
 * is written change; the span in `context` is not touched.
 */
export function withRandomFlag(context: Context): Context {
  const spanContext = trace.getSpanContext(context);
  if (!spanContext) return context;
  const random = context.getValue(RANDOM_TRACE_ID_KEY) === spanContext.traceId ? RANDOM_TRACE_FLAG : 0;
  const traceFlags = (spanContext.traceFlags & KNOWN_FLAGS) | random;
  return traceFlags === spanContext.traceFlags ? context : trace.setSpanContext(context, { ...spanContext, traceFlags });
}
