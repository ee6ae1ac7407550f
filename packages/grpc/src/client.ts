import { context, SpanKind, trace, type Span } from '@opentelemetry/api';
import { InterceptingCall, type Interceptor, type Metadata, type Requester, type StatusObject } from '@grpc/grpc-js';
import { neverThrow } from '@tracehop/core';
import { startSpan } from '@tracehop/core/internal';
import { fullMethodName, recordStatus } from './attributes.js';
import { compileClientOptions, type ClientHop } from './hop-options.js';
import { metadataSetter } from './metadata-carrier.js';
import { isPassThrough } from './pass-through-span.js';
import { isPeerClientSpan } from './peer-instrumentation.js';
import { ON_END_THREW, ON_START_THREW, runHook } from './rpc-hooks.js';
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
    // An ignored method records nothing and still propagates the caller's context.
    const started =
      hop.recordSpans && !hop.ignored?.(path) && !isPeerClientSpan(trace.getSpan(parent))
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
        if (span && (hop.metadataAttributes || hop.onStart)) callStarted(span, hop, path, metadata);
        next(
          outgoing,
          span
            ? {
                onReceiveStatus(status, nextStatus) {
                  neverThrow(recordEnd, undefined, END_SPAN_THREW, span, status, hop, hop.onEnd && { method: fullMethodName(path), metadata });
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

/** `metadataAttributes`, then `onStart`: only for a hop that has either. */
function callStarted(span: Span, hop: ClientHop, path: string, metadata: Metadata): void {
  if (hop.metadataAttributes) span.setAttributes(neverThrow(hop.metadataAttributes, {}, METADATA_ATTRIBUTES_THREW, metadata));
  if (hop.onStart) runHook(hop.onStart, span, { method: fullMethodName(path), metadata }, ON_START_THREW);
}

const METADATA_ATTRIBUTES_THREW = 'reading metadataAttributes threw; the span goes without them';

/** `call` is there only for a hop with an `onEnd` hook. */
function recordEnd(span: Span, status: StatusObject, hop: ClientHop, call: { method: string; metadata: Metadata } | undefined): void {
  recordStatus(span, status.code, status.details, 'client', hop.semconv);
  if (call) runHook(hop.onEnd!, span, { ...call, status }, ON_END_THREW);
  span.end();
}
