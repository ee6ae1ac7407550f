import { context, SpanKind, trace, type Attributes, type TextMapPropagator } from '@opentelemetry/api';
import { InterceptingCall, type Interceptor, type Requester } from '@grpc/grpc-js';
import { injectOutbound, neverThrow, type OutboundOptions } from '@tracehop/core';
import { mergeBaggageLimits, resolvePropagator, SENTRY_TRACE_HEADER } from '@tracehop/core/internal';
import { fullMethodName, parseTarget, recordStatus, resolveSemconv, startAttributes } from './attributes.js';
import { metadataSetter } from './metadata-carrier.js';
import { isPassThrough } from './pass-through-span.js';
import { isPeerClientSpan } from './peer-instrumentation.js';
import { SCOPE_NAME, SCOPE_VERSION } from './scope.js';
import type { ClientInterceptorOptions } from './types.js';

const DEFAULT_BAGGAGE_LIMITS = { maxMembers: 64, maxBytes: 4096 };

/**
 * A grpc-js client interceptor: one CLIENT span per logical call (retries
 * happen below interceptors, so they share it), ended once with the final
 * status, and `traceparent`/`tracestate`/`baggage` written into a copy of the
 * caller's metadata.
 *
 * Register it on the client (`new Client(addr, creds, { interceptors: [..] })`).
 * grpc-js drops client-level interceptors for a call that passes its own
 * `interceptors` option, so include it there too.
 */
export function createClientInterceptor(options: ClientInterceptorOptions = {}): Interceptor {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE_NAME, SCOPE_VERSION);
  const semconv = resolveSemconv(options.semconv);
  const endpoint = parseTarget(options.target);
  const recordSpans = options.recordSpans ?? true;
  const outbound: OutboundOptions = {
    propagator: options.propagator,
    forwardBaggage: options.forwardBaggage ?? true,
    baggageLimits: mergeBaggageLimits(DEFAULT_BAGGAGE_LIMITS, options.baggageLimits),
    sentryTrace: options.sentryTrace ?? false,
  };
  const attributesByPath = new Map<string, Attributes>();

  return (callOptions, nextCall) => {
    const path = callOptions.method_definition.path;
    const parent = context.active();
    // Next to instrumentation-grpc its span is already the active CLIENT span: propagate that one.
    const started =
      recordSpans && !isPeerClientSpan(trace.getSpan(parent))
        ? tracer.startSpan(fullMethodName(path), { kind: SpanKind.CLIENT, attributes: attributesFor(path) }, parent)
        : undefined;
    const span = started && isPassThrough(started, parent) ? undefined : started;
    const callContext = span ? trace.setSpan(parent, span) : parent;

    const requester: Requester = {
      start(metadata, listener, next) {
        // A copy, so the caller's Metadata is never changed; stale propagation
        // headers the caller left in it never reach the server.
        const outgoing = metadata.clone();
        for (const field of fieldsOf(resolvePropagator(options.propagator))) outgoing.remove(field);
        if (outbound.sentryTrace) outgoing.remove(SENTRY_TRACE_HEADER);
        injectOutbound(callContext, outgoing, metadataSetter, outbound);
        next(
          outgoing,
          span
            ? {
                onReceiveStatus(status, nextStatus) {
                  recordStatus(span, status.code, status.details, 'client', semconv);
                  span.end();
                  nextStatus(status);
                },
              }
            : listener, // nothing to record: grpc-js's own pass-through
        );
      },
    };
    return new InterceptingCall(nextCall(callOptions), requester);
  };

  function attributesFor(path: string): Attributes {
    let attributes = attributesByPath.get(path);
    if (!attributes) {
      attributes = startAttributes(path, semconv, endpoint);
      attributesByPath.set(path, attributes);
    }
    return attributes;
  }
}

// A propagator's fields never change; asking costs an array copy per call.
const fieldsByPropagator = new WeakMap<TextMapPropagator, readonly string[]>();

function fieldsOf(propagator: TextMapPropagator): readonly string[] {
  let fields = fieldsByPropagator.get(propagator);
  if (!fields) {
    fields = neverThrow(() => propagator.fields(), [], "the propagator's fields() threw; stale headers in the caller's metadata are not removed");
    fieldsByPropagator.set(propagator, fields);
  }
  return fields;
}
