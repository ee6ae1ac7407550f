import type { TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import type { BaggageLimits, TrustPolicy } from '@tracehop/core';
import type { Metadata, ServerMethodDefinition } from '@grpc/grpc-js';

/** Options shared by the client and the server interceptor. */
export interface CommonOptions {
  /**
   * Where spans go. Defaults to the global provider from `@opentelemetry/api`
   * (a no-op until an SDK is registered; propagation works either way).
   */
  tracerProvider?: TracerProvider;
  /**
   * Propagator for `traceparent`/`tracestate`/`baggage`. Defaults to the
   * registered global propagator, else W3C trace context + W3C baggage.
   */
  propagator?: TextMapPropagator;
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
export interface ClientInterceptorOptions extends CommonOptions {
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
   * Caps on the baggage sent. The default byte cap is below the W3C 8192
   * because grpc-java rejects calls whose headers exceed 8 KiB in total.
   * @default { maxMembers: 64, maxBytes: 4096 }
   */
  baggageLimits?: BaggageLimits;
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
export interface ServerInterceptorOptions extends CommonOptions, TrustPolicy<ServerCallInfo> {}
