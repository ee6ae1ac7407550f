import { context, SpanKind, trace, type Span } from '@opentelemetry/api';
import { InterceptingCall, type Interceptor, type Requester, type StatusObject } from '@grpc/grpc-js';
import { neverThrow } from '@tracehop/core';
import { startSpan, type SemconvStability } from '@tracehop/core/internal';
import { fullMethodName, recordStatus } from './attributes.js';
import { compileClientOptions } from './hop-options.js';
import { metadataSetter } from './metadata-carrier.js';
import { isPassThrough } from './pass-through-span.js';
import { isPeerClientSpan } from './peer-instrumentation.js';
import type { ClientInterceptorOptions } from './types.js';

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
  const hop = compileClientOptions(options);

  return (callOptions, nextCall) => {
    const path = callOptions.method_definition.path;
    const parent = context.active();
    // Next to instrumentation-grpc its span is already the active CLIENT span: propagate that one.
    const started =
      hop.recordSpans && !isPeerClientSpan(trace.getSpan(parent))
        ? startSpan(hop.tracer, fullMethodName(path), { kind: SpanKind.CLIENT, attributes: hop.startAttributes(path) }, parent)
        : undefined;
    const span = started && isPassThrough(started, parent) ? undefined : started;
    const callContext = span ? trace.setSpan(parent, span) : parent;

    const requester: Requester = {
      start(metadata, listener, next) {
        // A copy, so the caller's Metadata is never changed; stale propagation
        // headers the caller left in it never reach the server.
        const outgoing = metadata.clone();
        for (const field of hop.outbound.fields()) outgoing.remove(field);
        hop.outbound.inject(callContext, outgoing, metadataSetter);
        next(
          outgoing,
          span
            ? {
                onReceiveStatus(status, nextStatus) {
                  neverThrow(recordEnd, undefined, END_SPAN_THREW, span, status, hop.semconv);
                  nextStatus(status);
                },
              }
            : listener, // nothing to record: grpc-js's own pass-through
        );
      },
    };
    return new InterceptingCall(nextCall(callOptions), requester);
  };
}

const END_SPAN_THREW = 'ending the CLIENT span threw; the call completes as it would without it';

function recordEnd(span: Span, status: StatusObject, semconv: SemconvStability): void {
  recordStatus(span, status.code, status.details, 'client', semconv);
  span.end();
}
