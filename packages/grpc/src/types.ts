import type { BaggageLimits, InstrumentationOptions, TrustPolicy } from '@tracehop/core';
import type { Metadata, ServerMethodDefinition } from '@grpc/grpc-js';

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
  semconv?: 'old' | 'stable' | 'dup';
}

/** Options for {@link createClientInterceptor}. */
export interface ClientInterceptorOptions extends RpcSpanOptions {
  /**
   * The channel target the client was built with (`dns:///api.internal:443`,
   * `127.0.0.1:50051`), for `server.address`/`server.port`. Interceptors cannot
   * see the channel, so pass it here to get those attributes.
   */
  target?: string;
  /**
   * Send baggage on these calls. Turn off for a client whose server is
   * outside the trust boundary: baggage carries the tenant.
   * @default true
   */
  forwardBaggage?: boolean;
  /**
   * Caps on the baggage sent, merged field by field over the defaults. The
   * default byte cap is below the W3C 8192 because grpc-java rejects calls
   * whose headers exceed 8 KiB in total.
   * @default { maxMembers: 64, maxBytes: 4096 }
   */
  baggageLimits?: BaggageLimits;
  /**
   * Also send Sentry's `sentry-trace` header for the call's span, for a
   * Sentry-instrumented server (Sentry's propagator ignores `traceparent`).
   * @default false
   */
  sentryTrace?: boolean;
}

/** What a server trust decision can look at. */
export interface ServerCallInfo {
  /** The incoming metadata (read-only use, please). */
  readonly metadata: Metadata;
  /** The method being called. */
  readonly method: ServerMethodDefinition<unknown, unknown>;
  /** The peer address as grpc-js reports it (`ipv4:127.0.0.1:54321`). */
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
}
