import type { Context, Link, SpanContext, TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import type { BaggageAcceptance } from './baggage-entries.js';

/**
 * Who may continue a trace or hand us baggage. Every inbound hop (gRPC server,
 * GraphQL plugin, an HTTP edge) takes one as its `trust` option.
 *
 * `Request` is whatever the hop knows about the caller: gRPC call info, an
 * HTTP request, an authenticated principal.
 */
export interface TrustPolicy<Request = unknown> {
  /**
   * Whether the caller's `traceparent`/`tracestate` are continued. An untrusted
   * caller gets a fresh trace whose first span links to the remote context, and
   * all of its baggage is dropped.
   * @default true
   */
  trustTraceContext?: boolean | ((request: Request) => boolean);
  /**
   * Which inbound baggage entries a *trusted* caller may hand us: `true` keeps
   * all, `false` drops all, an array keeps only those keys, a function decides
   * per key. Entries from an untrusted caller are always dropped.
   * @default hop-specific: `true` for internal gRPC servers, `false` at the public GraphQL edge
   */
  acceptBaggage?: BaggageAcceptance<Request>;
  /**
   * Whether the first span of an untrusted request links to the caller's
   * (valid) remote span context, so the two traces can still be joined.
   * @default true
   */
  linkUntrusted?: boolean;
  /**
   * Also link the first span of a *trusted* request to the caller's span,
   * with this `tracehop.link.reason`: for a caller whose span is the parent
   * only in another system, such as Cloud Run's front end, whose span exists
   * only in Cloud Trace (and only when the front end sampled it).
   * @default undefined (a trusted caller is the parent, not also a link)
   */
  linkTrustedAs?: string;
}

/** What the inbound path decided for one request. */
export interface InboundContext {
  /**
   * The context the request's work runs in: the base context with the
   * caller's span context (trusted) or none (untrusted), and the kept baggage.
   */
  readonly context: Context;
  /** Links for the request's first span (the untrusted remote context, if any). */
  readonly links: Link[];
  /** The caller's remote span context when it sent a valid one, trusted or not. */
  readonly remote: SpanContext | undefined;
  /** Whether the caller's trace context was continued. */
  readonly trusted: boolean;
}

/** Options every hop that records spans and reads or writes headers takes. */
export interface InstrumentationOptions {
  /**
   * Where spans go. Never registered globally.
   * @default the global provider from `@opentelemetry/api` (a no-op until an SDK is registered; propagation works either way)
   */
  tracerProvider?: TracerProvider;
  /**
   * Reads and writes `traceparent`/`tracestate`/`baggage`. Resolved per call,
   * because an SDK may be registered after the hop was created.
   * @default the registered global propagator, else W3C trace context + W3C baggage
   */
  propagator?: TextMapPropagator;
}

/** Limits on the baggage tracehop sends. Only whole members are ever dropped. */
export interface BaggageLimits {
  /** @default 64 (W3C baggage: what a platform must always propagate) */
  maxMembers?: number;
  /** Serialized `baggage` header size in bytes. @default 8192 (hops may lower it: gRPC sends 4096) */
  maxBytes?: number;
}

/**
 * Derives the context a request runs in from the one its inbound hop
 * continued, once per request, once the request is authenticated: this is
 * where the tenant is set (`tenantFromAuth` in `@tracehop/tenant` builds one).
 */
export type ContextEnricher<Request = unknown> = (otelContext: Context, request: Request) => Context;
