import { context, isSpanContextValid, trace, type SpanContext } from '@opentelemetry/api';

/**
 * The active span's context when it is valid, else `undefined`. Works with no
 * SDK at all: a remote span context put in the context with
 * `trace.setSpanContext` is returned as well.
 */
export function activeSpanContext(): SpanContext | undefined {
  const spanContext = trace.getSpan(context.active())?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}
