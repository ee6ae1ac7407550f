import { context as otelContext, SpanKind, trace, type Context, type Link } from '@opentelemetry/api';
import { headersGetter, neverThrow, type HeadersLike } from '@tracehop/core';
import { requestParentKey } from '@tracehop/core/internal';
import type { DocumentNode } from 'graphql';
import type { PluginConfig } from './config.js';
import type { PhaseHolder } from './phase-spans.js';
import type { InboundRequest } from './types.js';

/** Where the operations of one request start: parent context, links, span kind. */
export interface RequestParent extends PhaseHolder {
  readonly context: Context;
  readonly links: Link[];
  /** SERVER when the operation is the service's entry span, INTERNAL under a local one. */
  readonly kind: SpanKind;
  /** The document last parsed for this context; kept only for `ignoreOperations`. */
  document?: DocumentNode;
}

const NO_HEADERS: HeadersLike = {};

/**
 * The one place a plugin instance keeps per-request state: the inbound
 * decision for each GraphQL context. Parse, validate, context building and
 * execution of one request share it, so the headers are read once per
 * request, not once per phase.
 *
 * Kept on the GraphQL context object under a non-enumerable symbol of this
 * instance (so two plugins with different trust policies never read each
 * other's decision), not in a WeakMap: a WeakMap entry per request keyed by a
 * short-lived object costs V8's garbage collector more than the rest of the
 * decision (BENCHMARKS.md, GraphQL). A frozen or sealed context, which cannot
 * take the property, falls back to a WeakMap.
 */
export class RequestParents {
  private readonly key = requestParentKey();
  private readonly ofSealed = new WeakMap<object, RequestParent>();

  constructor(private readonly config: PluginConfig) {}

  /** The request's parent, decided on first use. Never throws. */
  of(graphqlContext: unknown): RequestParent {
    if (typeof graphqlContext !== 'object' || graphqlContext === null) return decideParent(graphqlContext, this.config);
    const holder = graphqlContext as Record<symbol, RequestParent | undefined>;
    let parent = holder[this.key] ?? this.ofSealed.get(graphqlContext);
    if (parent) return parent;
    parent = decideParent(graphqlContext, this.config);
    if (Object.isExtensible(graphqlContext)) {
      Object.defineProperty(graphqlContext, this.key, { value: parent, enumerable: false, configurable: true });
    } else {
      this.ofSealed.set(graphqlContext, parent);
    }
    return parent;
  }
}

const GET_HEADERS_THREW = 'getHeaders threw; the request is treated as carrying no trace context';

/**
 * A local span already active (instrumentation-http's server span) is the
 * parent and no header is read over it; otherwise the request headers go
 * through the trust policy, continuing on the active context so values other
 * libraries put there survive.
 */
function decideParent(graphqlContext: unknown, config: PluginConfig): RequestParent {
  const active = otelContext.active();
  const activeSpan = trace.getSpanContext(active);
  const headers = neverThrow(config.getHeaders, undefined, GET_HEADERS_THREW, graphqlContext) ?? undefined;
  const request: InboundRequest = { headers, graphqlContext };
  if (activeSpan && !activeSpan.isRemote) {
    // Whoever made that span extracted baggage without asking who the caller
    // is; the trust policy still decides what of it this service keeps.
    return { context: config.policy.applyBaggagePolicy(active, request), links: [], kind: SpanKind.INTERNAL };
  }
  const inbound = config.policy.continueTrace(active, headers ?? NO_HEADERS, headersGetter, request);
  return { context: inbound.context, links: inbound.links, kind: SpanKind.SERVER };
}
