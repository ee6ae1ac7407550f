import { context, ROOT_CONTEXT, SpanKind, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import {
  ServerInterceptingCall,
  status as GrpcStatus,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerMethodDefinition,
} from '@grpc/grpc-js';
import { neverThrow } from '@tracehop/core';
import { startSpan } from '@tracehop/core/internal';
import { fullMethodName, recordStatus } from './attributes.js';
import { compileServerOptions, type ServerHop } from './hop-options.js';
import { metadataGetter } from './metadata-carrier.js';
import { isPassThrough } from './pass-through-span.js';
import { isPeerServerInstrumentationActive } from './peer-instrumentation.js';
import { ON_END_THREW, ON_START_THREW, runHook } from './rpc-hooks.js';
import type { ServerCallEndInfo, ServerCallInfo, ServerInterceptorOptions } from './types.js';

/**
 * A grpc-js server interceptor: extracts the caller's context (through the
 * trust policy), makes it active for the handler on every path — the
 * synchronous call, after `await`, stream `data`/`end` events, `sendStatus` —
 * and records one SERVER span per call, ended exactly once.
 *
 * Put it first: `new Server({ interceptors: [createServerInterceptor(), ...] })`.
 * Only the first interceptor sees a status that a later one (auth) sends.
 */
export function createServerInterceptor(options: ServerInterceptorOptions = {}): ServerInterceptor {
  const hop = compileServerOptions(options);
  const recordEnd = endRecorder(hop);

  return (method, call) => {
    let callContext: Context = ROOT_CONTEXT;
    let span: Span | undefined;
    let info: CallInfo | undefined; // kept for an onEnd hook only

    const endSpan = (code: number, details: string): void => {
      if (!span) return;
      const ending = span;
      span = undefined; // ends exactly once, whichever of sendStatus/onCancel comes first
      neverThrow(recordEnd, undefined, END_SPAN_THREW, ending, code, details, info);
    };

    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, nextMetadata) {
            const callInfo = new CallInfo(metadata, method, call);
            const inbound = hop.policy.continueTrace(ROOT_CONTEXT, metadata, metadataGetter, callInfo);
            callContext = inbound.context;
            // Next to instrumentation-grpc, its wrapped handler records the SERVER span.
            // An ignored method records nothing; its handler still runs in the caller's context.
            if (hop.recordSpans && !hop.ignored?.(method.path) && !isPeerServerInstrumentationActive()) {
              const started = startSpan(
                hop.tracer,
                fullMethodName(method.path),
                { kind: SpanKind.SERVER, attributes: startAttributes(hop, method.path, metadata), links: inbound.links },
                inbound.context,
              );
              if (started && !isPassThrough(started, inbound.context)) {
                span = started;
                callContext = trace.setSpan(inbound.context, started);
                if (hop.onStart) runHook(hop.onStart, started, callInfo, ON_START_THREW);
                if (hop.onEnd) info = callInfo;
              }
            }
            // Client- and bidi-streaming handlers start here; unary and
            // server-streaming ones on half-close, and grpc-js runs no user code
            // for them before that: no context switch needed here.
            if (method.requestStream) context.with(callContext, nextMetadata, undefined, metadata);
            else nextMetadata(metadata);
          },
          onReceiveMessage(message, nextMessage) {
            if (method.requestStream) context.with(callContext, nextMessage, undefined, message);
            else nextMessage(message);
          },
          onReceiveHalfClose(nextHalfClose) {
            context.with(callContext, nextHalfClose);
          },
          onCancel() {
            // grpc-js fires this after every call; only a call that never sent a status ends here.
            if (span) endSpan(deadlinePassed(call) ? GrpcStatus.DEADLINE_EXCEEDED : GrpcStatus.CANCELLED, 'call ended without a status');
          },
        });
      },
      sendStatus(status, nextStatus) {
        endSpan(status.code, status.details ?? '');
        context.with(callContext, nextStatus, undefined, status);
      },
    });
  };
}

const END_SPAN_THREW = 'ending the SERVER span threw; the call completes as it would without it';

/** How this hop ends a span; `call` is there only for a hop with an `onEnd` hook. */
function endRecorder(hop: ServerHop): (span: Span, code: number, details: string, call: CallInfo | undefined) => void {
  return (span, code, details, call) => {
    recordStatus(span, code, details, 'server', hop.semconv);
    if (call) runHook(hop.onEnd!, span, new EndedCallInfo(call, { code, details }), ON_END_THREW);
    span.end();
  };
}

/** The method's cached attributes, plus `metadataAttributes` when listed (so samplers see them). */
function startAttributes(hop: ServerHop, path: string, metadata: ServerCallInfo['metadata']): Attributes {
  const attributes = hop.startAttributes(path);
  if (!hop.metadataAttributes) return attributes;
  return { ...attributes, ...neverThrow(hop.metadataAttributes, {}, METADATA_ATTRIBUTES_THREW, metadata) };
}

const METADATA_ATTRIBUTES_THREW = 'reading metadataAttributes threw; the span goes without them';

/**
 * What a trust decision can look at. A class, not an object literal with a
 * getter: V8 builds the accessor once, on the prototype, not on every call.
 */
class CallInfo implements ServerCallInfo {
  constructor(
    readonly metadata: ServerCallInfo['metadata'],
    readonly method: ServerMethodDefinition<unknown, unknown>,
    private readonly call: ServerInterceptingCallInterface,
  ) {}

  /** Lazy: formatting the peer string costs, and most policies never ask. */
  get peer(): string {
    return this.call.getPeer();
  }
}

/** What `onEnd` sees: the call, and how it ended. */
class EndedCallInfo implements ServerCallEndInfo {
  constructor(
    private readonly call: CallInfo,
    readonly status: ServerCallEndInfo['status'],
  ) {}

  get metadata(): ServerCallInfo['metadata'] {
    return this.call.metadata;
  }

  get method(): ServerCallInfo['method'] {
    return this.call.method;
  }

  get peer(): string {
    return this.call.peer;
  }
}

/**
 * The client's copy of a deadline expires first: the server's counts from when
 * the call arrived, a little later. So the client's cancel (RST_STREAM) can
 * reach the server just before the server's own deadline. A cancel within this
 * margin of the deadline is that deadline expiring, not a caller's choice.
 */
const DEADLINE_MARGIN_MS = 100;

function deadlinePassed(call: ServerInterceptingCallInterface): boolean {
  const deadline = call.getDeadline();
  const millis = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(millis) && millis - Date.now() <= DEADLINE_MARGIN_MS;
}
