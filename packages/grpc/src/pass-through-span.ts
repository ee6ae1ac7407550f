import { trace, type Context, type Span } from '@opentelemetry/api';

/**
 * No SDK registered: the API's no-op tracer hands back the parent's own span
 * context wrapped in a span that records nothing. Putting it in a new context
 * and "ending" it would only cost allocations; the parent propagates the same
 * IDs. A sampled-out span from a real SDK has its own span ID and is kept.
 */
export function isPassThrough(span: Span, parent: Context): boolean {
  return !span.isRecording() && span.spanContext() === trace.getSpanContext(parent);
}
