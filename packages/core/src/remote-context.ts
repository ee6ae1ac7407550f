import {
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TraceState,
} from '@opentelemetry/api';
import { TraceState as LenientTraceState } from '@opentelemetry/core';
import { resolvePropagator } from './propagator.js';
import { parseTraceState } from './tracestate.js';

// What the caller sent, read the way W3C Trace Context requires (stricter
// than OpenTelemetry's defaults, as the official test harness checks): the
// inbound path's reading, before the trust policy decides what to keep.

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';

/** `base` without a span or baggage: what the caller sends replaces them, never merges. */
export function withoutTraceContext(base: Context): Context {
  if (base === ROOT_CONTEXT) return base;
  let context = base;
  if (trace.getSpan(context)) context = trace.deleteSpan(context);
  if (propagation.getBaggage(context)) context = propagation.deleteBaggage(context);
  return context;
}

export function extractRemote<Carrier>(
  start: Context,
  carrier: Carrier,
  getter: TextMapGetter<Carrier>,
  propagator: TextMapPropagator | undefined,
): { context: Context; remote: SpanContext | undefined } {
  const traceparent = getter.get(carrier, TRACEPARENT);
  const effectiveGetter = isRepeated(traceparent) ? hideTraceContext(getter) : getter;
  let context = resolvePropagator(propagator).extract(start, carrier, effectiveGetter);
  let remote = validRemote(context);
  const tracestate = remote?.traceState ? getter.get(carrier, TRACESTATE) : undefined;
  if (remote?.traceState && isFromHeader(remote.traceState, tracestate)) {
    // Re-read tracestate strictly: an invalid header is dropped whole (W3C), not member by member.
    remote = { ...remote, traceState: parseTraceState(tracestate) };
    context = trace.setSpanContext(context, remote);
  }
  return { context, remote };
}

/**
 * W3C: a request with more than one `traceparent` has an invalid one.
 * Repeated headers reach us as an array or joined with ", ". A joined pair can
 * even parse, when the first is a future version whose allowed `-suffix`
 * swallows the rest.
 */
function isRepeated(traceparent: string | string[] | undefined): boolean {
  if (Array.isArray(traceparent)) return traceparent.length > 1 || (traceparent[0]?.includes(',') ?? false);
  return traceparent?.includes(',') ?? false;
}

/**
 * The getter with `traceparent` and `tracestate` hidden (`tracestate` must not
 * be read once `traceparent` is invalid), so every propagator sees a request
 * without them. Only built for the rare request that repeats `traceparent`.
 */
function hideTraceContext<Carrier>(getter: TextMapGetter<Carrier>): TextMapGetter<Carrier> {
  return {
    keys: (carrier) => getter.keys(carrier),
    get: (carrier, key) => (key === TRACEPARENT || key === TRACESTATE ? undefined : getter.get(carrier, key)),
  };
}

/**
 * Whether a trace state is the W3C propagator's reading of this `tracestate`
 * header. Another propagator's trace state (Sentry keeps the caller's
 * sampling context there, from `baggage`) is its own, not to be re-read.
 */
function isFromHeader(traceState: TraceState, header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  return new LenientTraceState(Array.isArray(header) ? header.join(',') : header).serialize() === traceState.serialize();
}

function validRemote(context: Context): SpanContext | undefined {
  const spanContext = trace.getSpanContext(context);
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}
