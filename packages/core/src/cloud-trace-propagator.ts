import {
  isSpanContextValid,
  trace,
  TraceFlags,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { decimalToSpanId, spanIdToDecimal } from './ids.js';

/** Google's legacy header: `TRACE_ID/SPAN_ID;o=OPTIONS`, span ID in decimal. */
export const CLOUD_TRACE_CONTEXT_HEADER = 'x-cloud-trace-context';

// 32 hex trace ID, 1-20 decimal digits of span ID, optional ;o=0|1 (Google documents only bit 0).
const HEADER_PATTERN = /^([0-9a-f]{32})\/([0-9]{1,20})(?:;o=([0-9]+))?$/i;

/**
 * `X-Cloud-Trace-Context` propagator, for Google front ends and services that
 * still send only the legacy header. Replaces the deprecated
 * `@google-cloud/opentelemetry-cloud-trace-propagator`, and unlike it rejects a
 * zero span ID and treats a missing or empty `o=` as not sampled.
 */
export class CloudTraceContextPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (!spanContext || !isSpanContextValid(spanContext)) return;
    const sampled = spanContext.traceFlags & TraceFlags.SAMPLED ? 1 : 0;
    setter.set(carrier, CLOUD_TRACE_CONTEXT_HEADER, `${spanContext.traceId}/${spanIdToDecimal(spanContext.spanId)};o=${sampled}`);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const raw = getter.get(carrier, CLOUD_TRACE_CONTEXT_HEADER);
    // Duplicated headers are ambiguous: ignore them, as W3C does for traceparent.
    if (typeof raw !== 'string' && !(Array.isArray(raw) && raw.length === 1)) return context;
    const value = (typeof raw === 'string' ? raw : raw[0]!).trim();
    const match = HEADER_PATTERN.exec(value);
    if (!match) return context;
    const traceId = match[1]!.toLowerCase();
    const spanId = decimalToSpanId(match[2]!);
    if (spanId === undefined) return context;
    const traceFlags = match[3] !== undefined && Number(match[3]) & 1 ? TraceFlags.SAMPLED : TraceFlags.NONE;
    const spanContext = { traceId, spanId, traceFlags, isRemote: true };
    if (!isSpanContextValid(spanContext)) return context;
    return trace.setSpanContext(context, spanContext);
  }

  fields(): string[] {
    return [CLOUD_TRACE_CONTEXT_HEADER];
  }
}
