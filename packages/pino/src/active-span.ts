import { context, isSpanContextValid, trace, type SpanContext } from '@opentelemetry/api';

/**
 * The last span context found valid. A span writes many lines, and its
 * context object never changes: the validity check (two regular expressions)
 * then runs once per span, not once per line.
 */
let lastValid: SpanContext | undefined;

/**
 * The active span's context when it is valid, else `undefined`. Works with no
 * SDK at all: a remote span context put in the context with
 * `trace.setSpanContext` is returned as well.
 */
export function activeSpanContext(): SpanContext | undefined {
  const spanContext = trace.getSpan(context.active())?.spanContext();
  if (spanContext === undefined || spanContext === lastValid) return spanContext;
  if (!isSpanContextValid(spanContext)) return undefined;
  lastValid = spanContext;
  return spanContext;
}
