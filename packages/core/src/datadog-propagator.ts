import { isSpanContextValid, trace, TraceFlags, type Context, type TextMapGetter, type TextMapPropagator } from '@opentelemetry/api';
import { decimalToSpanId } from './ids.js';
import { singleValue } from './single-value.js';

const TRACE_ID = 'x-datadog-trace-id';
const PARENT_ID = 'x-datadog-parent-id';
const SAMPLING_PRIORITY = 'x-datadog-sampling-priority';
const TAGS = 'x-datadog-tags';
/** `_dd.p.tid` in `x-datadog-tags`: the high 64 bits of a 128-bit trace ID, in hex. */
const HIGH_BITS_TAG = /(?:^|,)_dd\.p\.tid=([0-9a-f]{16})(?:,|$)/;

/**
 * Reads dd-trace's own headers (`x-datadog-trace-id`/`-parent-id`, decimal,
 * low 64 bits; the high 64 from `_dd.p.tid`), for callers that send only
 * those. Extract only: Datadog reads W3C `traceparent`, and its `dd=`
 * `tracestate` member already passes through, so nothing `x-datadog-*` is
 * ever written. A sampling priority above 0 is sampled.
 */
export class DatadogPropagator implements TextMapPropagator {
  inject(): void {
    // Never written: see the class comment.
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const low = decimalToSpanId(singleValue(getter.get(carrier, TRACE_ID)) ?? '');
    const spanId = decimalToSpanId(singleValue(getter.get(carrier, PARENT_ID)) ?? '');
    if (low === undefined || spanId === undefined) return context;
    const high = HIGH_BITS_TAG.exec(listValue(getter.get(carrier, TAGS)))?.[1] ?? '0000000000000000';
    const priority = Number(singleValue(getter.get(carrier, SAMPLING_PRIORITY)));
    const spanContext = { traceId: high + low, spanId, traceFlags: priority > 0 ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true };
    return isSpanContextValid(spanContext) ? trace.setSpanContext(context, spanContext) : context;
  }

  fields(): string[] {
    return [];
  }
}

/** `x-datadog-tags` is a comma-separated list: repeated headers join. */
function listValue(raw: string | string[] | undefined): string {
  return Array.isArray(raw) ? raw.join(',') : (raw ?? '');
}
