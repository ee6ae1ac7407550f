import {
  context as otelContext,
  diag,
  propagation,
  SpanKind,
  trace,
  type Context,
  type Link,
} from '@opentelemetry/api';
import { applyBaggagePolicy, extractInbound, headersGetter, type HeadersLike } from '@tracehop/core';
import type { PluginConfig } from './config.js';
import type { InboundRequest } from './types.js';

/** Where an operation starts: its parent context, links and span kind. */
export interface OperationParent {
  readonly context: Context;
  readonly links: Link[];
  /** SERVER when the operation is the service's entry span, INTERNAL under a local one. */
  readonly kind: SpanKind;
}

const NO_HEADERS: HeadersLike = {};

/**
 * The context an operation of this request starts in. A local span that is
 * already active (instrumentation-http's server span) is the parent and no
 * header is read over it; otherwise the request headers go through the trust
 * policy. Never throws.
 *
 * Decided once per GraphQL context object: parse, validate, context building
 * and execution of one request share it, so the headers are read once per
 * request, not once per phase. The decision is kept on that object under a
 * non-enumerable symbol, not in a WeakMap: a WeakMap entry per request keyed
 * by a short-lived object costs V8's garbage collector more than the rest of
 * the decision (measured: BENCHMARKS.md, GraphQL).
 */
export function operationParent(graphqlContext: unknown, config: PluginConfig): OperationParent {
  if (typeof graphqlContext !== 'object' || graphqlContext === null) return decideParent(graphqlContext, config);
  const holder = graphqlContext as Record<symbol, OperationParent | undefined>;
  let parent = holder[config.parentKey] ?? config.parentsOfSealed.get(graphqlContext);
  if (parent) return parent;
  parent = decideParent(graphqlContext, config);
  if (Object.isExtensible(graphqlContext)) {
    Object.defineProperty(graphqlContext, config.parentKey, { value: parent, enumerable: false, configurable: true });
  } else {
    config.parentsOfSealed.set(graphqlContext, parent);
  }
  return parent;
}

function decideParent(graphqlContext: unknown, config: PluginConfig): OperationParent {
  const active = otelContext.active();
  const activeSpan = trace.getSpanContext(active);
  const request = inboundRequest(graphqlContext, config);
  if (activeSpan && !activeSpan.isRemote) {
    // Whoever made that span extracted baggage without asking who the caller
    // is; the trust policy still decides what of it this service keeps.
    return { context: applyBaggagePolicy(active, config.policy, request), links: [], kind: SpanKind.INTERNAL };
  }
  const inbound = extractInbound(request.headers ?? NO_HEADERS, headersGetter, config.policy, request, config.propagator);
  // Rebuild on the active context, so values other libraries put there survive.
  let context = propagation.deleteBaggage(trace.deleteSpan(active));
  const remote = trace.getSpanContext(inbound.context);
  if (remote) context = trace.setSpanContext(context, remote);
  const baggage = propagation.getBaggage(inbound.context);
  if (baggage) context = propagation.setBaggage(context, baggage);
  return { context, links: inbound.links, kind: SpanKind.SERVER };
}

function inboundRequest(graphqlContext: unknown, config: PluginConfig): InboundRequest {
  let headers: HeadersLike | undefined;
  try {
    headers = config.getHeaders(graphqlContext) ?? undefined;
  } catch (error) {
    diag.debug('tracehop: getHeaders threw; treating the request as carrying no trace context', error);
  }
  return { headers, graphqlContext };
}
