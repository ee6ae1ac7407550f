import type { InstrumentationOptions, OutboundOptions, TrustPolicy } from '@tracehop/core';
import type { SemconvOption } from '@tracehop/core/internal';
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
  semconv?: SemconvOption;
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
