import type { ContextEnricher, HeadersLike, InstrumentationOptions, TrustPolicy } from '@tracehop/core';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import type { OperationNamePolicy } from './operation-names.js';

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

/**
 * Options for {@link useTraceContext}. `GraphQLContext` types what `enrich`
 * receives (your server's context, with the authenticated principal).
 */
// `any` by default lets enrichers read the user-defined context without casts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface TraceContextOptions<GraphQLContext = any> extends InstrumentationOptions {
  /**
   * Who may continue a trace or hand in baggage. A BFF is usually the public
   * edge, where anyone could claim a tenant, so inbound baggage is refused
   * unless allowed here; the caller's `traceparent` is continued unless
   * `trustTraceContext` says otherwise.
   * @default { trustTraceContext: true, acceptBaggage: false, linkUntrusted: true }
   */
  trust?: TrustPolicy<InboundRequest>;
  /**
   * Finds the request headers in the GraphQL context, for servers whose
   * context has neither Yoga's `request` nor Node's `req`.
   * @default `context.request.headers`, else `context.req.headers`, else `context.extra.request.headers` (graphql-ws)
   */
  getHeaders?: (graphqlContext: unknown) => HeadersLike | undefined;
  /**
   * Record one span per operation. Turn off when another plugin (such as
   * `@envelop/opentelemetry`) records it: context is still continued and active.
   * @default true
   */
  recordSpans?: boolean;
  /**
   * `'type'` names the span `query`/`mutation`/`subscription` (the semantic
   * conventions); `'type-name'` appends the client-chosen operation name
   * (`query GetUser`), which the conventions allow only as an opt-in because
   * clients choose it freely (high cardinality).
   * @default 'type'
   */
  spanName?: OperationSpanName;
  /**
   * Which client-chosen operation names are recorded as they are, in
   * `graphql.operation.name` and (with `spanName: 'type-name'`) the span name.
   * Any other name is recorded as `_OTHER`, so a client that sends 10,000
   * names adds one value, not 10,000, to everything computed from spans
   * (per-operation metrics, a trace backend's span-name index). A list (your
   * persisted or known operations), a predicate, or a number N: the first N
   * distinct names this plugin sees. Names over 128 characters are kept only
   * when listed.
   * @default 100 (the first 100 distinct names; list your operations to choose which)
   */
  operationNames?: OperationNamePolicy;
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
   * Derives the context the operation runs in from the continued one, once
   * per operation, after the GraphQL context was built (so the authenticated
   * principal is there) and before the operation span starts (so span
   * processors see its baggage). This is where the tenant is set:
   * `tenantFromAuth` from `@tracehop/tenant` builds one. If it throws, the
   * operation runs in the un-enriched context (and `diag` warns).
   * @default none
   */
  enrich?: ContextEnricher<GraphQLContext>;
  /**
   * Put the stable HTTP server attributes on the SERVER operation span, from
   * the request Yoga or Node already has: `http.request.method`,
   * `url.scheme`, `url.path`, `server.address`/`server.port`,
   * `user_agent.original`, `client.address`, `network.peer.address`/`port`,
   * `network.protocol.version`; under Yoga also `http.route` (the GraphQL
   * endpoint) and `http.response.status_code` (the span then ends once the
   * response is made). Not set on an INTERNAL span under
   * instrumentation-http's SERVER span, which has them.
   * @default false
   */
  httpAttributes?: boolean;
  /**
   * Operations that record no span, not even resolver or phase spans. They
   * still run in the caller's trace and with `enrich`'s context, so what
   * they call propagates it. Decided from the parsed document, so the
   * plugin must see the parse (`getEnveloped().parse`, as Yoga does).
   * @default none
   */
  ignoreOperations?: IgnoreOperations;
  /**
   * Record `graphql.parse`, `graphql.validate`, and `graphql.execute` or
   * `graphql.subscribe` spans under the operation span, which then starts
   * when parsing starts. Needs `recordSpans`.
   * @default false
   */
  phaseSpans?: boolean;
}

/** Which operations {@link TraceContextOptions.ignoreOperations} leaves out: any rule that matches. */
export interface IgnoreOperations {
  /**
   * Queries that select only `__schema`, `__type` or `__typename` at their
   * root: GraphiQL's and codegen's introspection, `{ __typename }` probes.
   * Read from the document, so a client cannot pass a real query off as one.
   * @default false
   */
  introspection?: boolean;
  /**
   * Operation names (`query ReadinessProbe { … }`). The client chooses the
   * name: any client can name its operation this way to leave it out.
   * @default none
   */
  names?: readonly string[];
  /** Your rule; if it throws, the operation records spans (and `diag` warns). @default none */
  match?: (operation: IgnoredOperationCandidate) => boolean;
}

/** What `ignoreOperations.match` sees. */
export interface IgnoredOperationCandidate {
  /** The operation's name, if it has one. */
  readonly name: string | undefined;
  /** `query`, `mutation` or `subscription`. */
  readonly type: OperationDefinitionNode['operation'];
  /** The parsed document the operation is in. */
  readonly document: DocumentNode;
  /** The operation's GraphQL context (read only). */
  readonly graphqlContext: unknown;
}
