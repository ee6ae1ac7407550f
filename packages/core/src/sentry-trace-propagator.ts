import { isSpanContextValid, trace, TraceFlags, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { singleValue } from './single-value.js';

/** Sentry's trace header: `TRACE_ID-SPAN_ID[-SAMPLED]`. */
export const SENTRY_TRACE_HEADER = 'sentry-trace';

// @sentry/core's TRACEPARENT_REGEXP, with both IDs required: a half header names no span.
const HEADER_PATTERN = /^[ \t]*([0-9a-f]{32})-([0-9a-f]{16})(?:-([01]))?[ \t]*$/;

/**
 * Sentry's `sentry-trace` header, for services that talk to Sentry SDKs on
 * their defaults (which read no `traceparent`). Writes it for the active span;
 * reads it as a remote parent. A missing sampled flag is Sentry's "deferred",
 * which a span context cannot say: it reads as not sampled. Compose it before
 * the W3C propagator (`createPropagator({ sentryTrace: true })`), so that a
 * valid `traceparent` wins.
 */
export class SentryTracePropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (!spanContext || !isSpanContextValid(spanContext)) return;
    const sampled = spanContext.traceFlags & TraceFlags.SAMPLED ? '1' : '0';
    setter.set(carrier, SENTRY_TRACE_HEADER, `${spanContext.traceId}-${spanContext.spanId}-${sampled}`);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const match = HEADER_PATTERN.exec(singleValue(getter.get(carrier, SENTRY_TRACE_HEADER)) ?? '');
    if (!match) return context;
    const traceFlags = match[3] === '1' ? TraceFlags.SAMPLED : TraceFlags.NONE;
    const spanContext = { traceId: match[1]!, spanId: match[2]!, traceFlags, isRemote: true };
    return isSpanContextValid(spanContext) ? trace.setSpanContext(context, spanContext) : context;
  }

  fields(): string[] {
    return [SENTRY_TRACE_HEADER];
  }
}
