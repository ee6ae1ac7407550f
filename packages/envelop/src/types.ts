import type { Context, TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import type { HeadersLike, TrustPolicy } from '@tracehop/core';
import type { DocumentNode } from 'graphql';

/** What the trust decision can look at for one GraphQL operation. */
export interface InboundRequest {
  /** The headers the plugin read the trace context from, if any were found. */
  readonly headers: HeadersLike | undefined;
  /**
   * The operation's GraphQL context: `request` (Fetch `Request`) under Yoga,
   * `req` (`IncomingMessage`) under envelop on `node:http`. Read only.
   */
  readonly graphqlContext: unknown;
}

/** How the operation span is named. */
export type OperationSpanName = 'type' | 'type-name';

/** Options for {@link useTraceContext}. */
export interface TraceContextOptions extends TrustPolicy<InboundRequest> {
  /**
   * Where spans go. Never registered globally.
   * @default the global provider from `@opentelemetry/api` (a no-op until an SDK is registered)
   */
  tracerProvider?: TracerProvider;
  /**
   * Reads `traceparent`/`tracestate`/`baggage`.
   * @default the registered global propagator, else W3C trace context + W3C baggage
   */
  propagator?: TextMapPropagator;
  /**
   * Whether the caller's `traceparent` is continued. `false` (or a predicate
   * returning `false`) starts a new trace whose operation span links to the
   * caller's, and drops all inbound baggage.
   * @default true
   */
  trustTraceContext?: boolean | ((request: InboundRequest) => boolean);
  /**
   * Which inbound `baggage` entries a trusted caller may set: `true` all,
   * `false` none, an array of keys, or a predicate per key. Off by default
   * because a BFF is usually the public edge: anyone could claim a tenant.
   * @default false
   */
  acceptBaggage?: boolean | readonly string[] | ((key: string, request: InboundRequest) => boolean);
  /**
   * Link the first span of an untrusted request to the caller's trace.
   * @default true
   */
  linkUntrusted?: boolean;
  /**
   * Finds the request headers in the GraphQL context, for servers whose
   * context has neither Yoga's `request` nor Node's `req`.
   * @default `context.request.headers`, else `context.req.headers`, else `context.extra.request.headers` (graphql-ws)
   */
  getHeaders?: (graphqlContext: unknown) => HeadersLike | undefined;
  /**
   * Record one span per operation. Turn off when another plugin (such as
   * `@envelop/opentelemetry`) records it: context is still extracted and active.
   * @default true
   */
  operationSpan?: boolean;
  /**
   * `'type'` names the span `query`/`mutation`/`subscription` (the semantic
   * conventions); `'type-name'` appends the client-chosen operation name
   * (`query GetUser`), which the conventions allow only as an opt-in because
   * clients choose it freely (high cardinality).
   * @default 'type'
   */
  spanName?: OperationSpanName;
  /**
   * Record `graphql.document`. `true` records it with every literal value
   * replaced by `"*"` (inline arguments can carry personal data); a function
   * returns the string to record.
   * @default false
   */
  recordDocument?: boolean | ((document: DocumentNode) => string);
  /**
   * Record a span per resolver call of fields with an explicit resolver,
   * active while it runs (so its gRPC calls and logs nest under it).
   * Fields without a resolver (default property access) get no span.
   * @default false
   */
  resolverSpans?: boolean;
  /**
   * Derives the context the operation runs in from the extracted one, once
   * per operation, after the GraphQL context was built (so the authenticated
   * principal is there) and before the operation span starts (so span
   * processors see its baggage). This is where the tenant is set. If it
   * throws, the error is logged through `diag` and the operation runs in the
   * un-enriched context.
   * @default none
   */
  // The GraphQL context is user-defined; `any` lets enrichers read it without casts.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  enrich?: (otelContext: Context, graphqlContext: any) => Context;
}
