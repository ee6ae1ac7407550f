import type { InstrumentationOptions, OutboundOptions, TrustPolicy } from '@tracehop/core';
import type { SemconvOption } from '@tracehop/core/internal';
import type { Span } from '@opentelemetry/api';
import type { Metadata, ServerMethodDefinition, StatusObject } from '@grpc/grpc-js';

/** How the interceptors record RPC spans; the client and the server take the same. */
export interface RpcSpanOptions extends InstrumentationOptions {
  /**
   * Record spans. With `false` the interceptor only propagates context (the
   * cheapest mode, for services whose spans come from elsewhere).
   * @default true
   */
  recordSpans?: boolean;
  /**
   * Attribute names during the RPC semantic-conventions migration: `'old'`
   * (`rpc.system`, `rpc.service`, `rpc.grpc.status_code`), `'stable'`
   * (`rpc.system.name`, full `rpc.method`, `rpc.status_code`), or `'dup'` for both.
   * @default read from `OTEL_SEMCONV_STABILITY_OPT_IN` (`rpc`, `rpc/dup`), else `'old'`
   */
  semconv?: SemconvOption;
  /**
   * Calls that record no span: method names, each `package.Service/Method`
   * (the span name; a leading `/` as in grpc-js paths is fine) or
   * `package.Service/*` for every method of a service, or a predicate given
   * `package.Service/Method`, asked once per method (its answer is kept). An
   * ignored call still carries context: the client still sends `traceparent`,
   * the server's handler still runs in the caller's trace. A bare method name
   * (`Check`) throws: it would match every service's `Check`.
   * @example ['grpc.health.v1.Health/*', 'grpc.reflection.v1.ServerReflection/*']
   * @default none (every call records a span)
   */
  ignoreMethods?: readonly string[] | ((method: string) => boolean);
  /**
   * Request metadata keys recorded as span attributes, each value list as a
   * string array (`-bin` values base64): `rpc.grpc.request.metadata.<key>`
   * with `semconv: 'old'`, `rpc.request.header.<key>` with `'stable'`, both
   * with `'dup'`. At most 32 keys, 8 values per key, 256 characters per value.
   * Credentials, cookies and trace-propagation headers (`authorization`,
   * `cookie`, `traceparent`, `baggage`, any key naming a token, secret,
   * password, session or API key, and whatever the propagator reads) throw
   * when the interceptor is created: they never become attributes.
   * @example ['x-request-id']
   * @default none
   */
  metadataAttributes?: readonly string[];
}

/**
 * Options for {@link createClientInterceptor}: the RPC span options, core's
 * outbound options (`forwardBaggage`, `baggageLimits`, `sentryTrace`; gRPC's
 * default byte cap is 4096, below W3C's 8192, because grpc-java rejects calls
 * whose headers exceed 8 KiB in total), and the channel target.
 */
export interface ClientInterceptorOptions extends RpcSpanOptions, OutboundOptions {
  /**
   * The channel target the client was built with (`dns:///api.internal:443`,
   * `127.0.0.1:50051`), for `server.address`/`server.port`. Interceptors cannot
   * see the channel, so pass it here to get those attributes.
   * @default undefined (no server.address / server.port)
   */
  target?: string;
  /**
   * Runs when the call's CLIENT span has started (after `metadataAttributes`),
   * to add attributes. Runs through `neverThrow`: if it throws (or its
   * promise rejects) the call goes on and `diag` warns. Not called for calls
   * that record no span.
   * @default none
   */
  onStart?: (span: Span, call: ClientCallInfo) => void;
  /**
   * Runs when the call's final status arrived, after the status attributes
   * and before the span ends; same guarantees as `onStart`.
   * @default none
   */
  onEnd?: (span: Span, call: ClientCallEndInfo) => void;
}

/** What the client hooks see of a call. */
export interface ClientCallInfo {
  /** `package.Service/Method`. */
  readonly method: string;
  /** The metadata the caller passed (read only; what is sent is a copy with the trace headers). */
  readonly metadata: Metadata;
}

/** {@link ClientCallInfo} with the call's final status. */
export interface ClientCallEndInfo extends ClientCallInfo {
  /** As grpc-js reports it: `code`, `details`, trailing `metadata`. */
  readonly status: StatusObject;
}

/** What a server trust decision can look at. */
export interface ServerCallInfo {
  /** The incoming metadata (read-only use, please). */
  readonly metadata: Metadata;
  /** The method being called. */
  readonly method: ServerMethodDefinition<unknown, unknown>;
  /** The peer address as grpc-js reports it (`127.0.0.1:54321`, `[::1]:54321`). */
  readonly peer: string;
}

/** Options for {@link createServerInterceptor}. */
export interface ServerInterceptorOptions extends RpcSpanOptions {
  /**
   * Who may continue a trace or hand in baggage. A server behind a BFF hears
   * from internal callers, so by default every caller is trusted and all of
   * its baggage is kept; a server reachable from outside should say otherwise.
   * @default { trustTraceContext: true, acceptBaggage: true, linkUntrusted: true }
   */
  trust?: TrustPolicy<ServerCallInfo>;
  /**
   * Runs when the call's SERVER span has started (its attributes include
   * `metadataAttributes`), before the handler. Runs through `neverThrow`: if
   * it throws (or its promise rejects) the call goes on and `diag` warns. Not
   * called for calls that record no span.
   * @default none
   */
  onStart?: (span: Span, call: ServerCallInfo) => void;
  /**
   * Runs when the call ended (a status was sent, or the call was cancelled
   * or ran out of time), after the status attributes and before the span
   * ends; same guarantees as `onStart`.
   * @default none
   */
  onEnd?: (span: Span, call: ServerCallEndInfo) => void;
}

/** {@link ServerCallInfo} with how the call ended. */
export interface ServerCallEndInfo extends ServerCallInfo {
  /** The status sent; `CANCELLED` or `DEADLINE_EXCEEDED` for a call that ended without one. */
  readonly status: { readonly code: number; readonly details: string };
}
