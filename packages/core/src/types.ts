import type { Context, Link, SpanContext, TextMapPropagator } from '@opentelemetry/api';
import type { BaggageAcceptance } from './baggage-entries.js';

/**
 * Who may continue a trace or hand us baggage. Every server-side hop
 * (gRPC server, GraphQL plugin, the W3C test service) compiles one of these.
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
}

/** What the inbound path decided for one request. */
export interface InboundContext {
  /** The context the request's work runs in: remote parent (trusted) or root, plus kept baggage. */
  readonly context: Context;
  /** Links for the request's first span (the untrusted remote context, if any). */
  readonly links: Link[];
  /** The caller's remote span context when it sent a valid one, trusted or not. */
  readonly remote: SpanContext | undefined;
  /** Whether the caller's trace context was continued. */
  readonly trusted: boolean;
}

/** Options shared by every hop that reads or writes headers. */
export interface PropagationOptions {
  /**
   * Propagator used for inject and extract. Defaults to the globally registered
   * one when there is one, else W3C trace context + W3C baggage.
   */
  propagator?: TextMapPropagator;
}

/** Limits on the baggage tracehop sends. Only whole members are ever dropped. */
export interface BaggageLimits {
  /** @default 64 (W3C baggage: what a platform must always propagate) */
  maxMembers?: number;
  /** Serialized `baggage` header size in bytes. @default 8192 */
  maxBytes?: number;
}
