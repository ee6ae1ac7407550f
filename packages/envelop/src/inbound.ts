import {
  context as otelContext,
  diag,
  propagation,
  SpanKind,
  trace,
  type BaggageEntry,
  type Context,
  type Link,
} from '@opentelemetry/api';
import { extractInbound, headersGetter, type HeadersLike } from '@tracehop/core';
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
 */
export function operationParent(graphqlContext: unknown, config: PluginConfig): OperationParent {
  const active = otelContext.active();
  const activeSpan = trace.getSpanContext(active);
  const request = inboundRequest(graphqlContext, config);
  if (activeSpan && !activeSpan.isRemote) {
    return { context: keepTrustedBaggage(active, config, request), links: [], kind: SpanKind.INTERNAL };
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

/**
 * Whoever made the active span (instrumentation-http) extracted baggage
 * without asking who the caller is; the trust policy still decides what of it
 * this service keeps.
 * TODO(core): use a `filterBaggage` export from @tracehop/core once it exists.
 */
function keepTrustedBaggage(active: Context, config: PluginConfig, request: InboundRequest): Context {
  const baggage = propagation.getBaggage(active);
  const filter = config.policy.baggageFilter;
  if (!baggage || filter === undefined) return active;
  if (filter === false || !safely(() => config.policy.trustsTraceContext(request))) {
    return propagation.deleteBaggage(active);
  }
  const kept: Record<string, BaggageEntry> = {};
  let count = 0;
  for (const [key, entry] of baggage.getAllEntries()) {
    if (safely(() => filter(key, request))) {
      kept[key] = entry;
      count++;
    }
  }
  return count === 0 ? propagation.deleteBaggage(active) : propagation.setBaggage(active, propagation.createBaggage(kept));
}

function safely(decide: () => boolean): boolean {
  try {
    return decide();
  } catch (error) {
    diag.debug('tracehop: trust policy callback threw; treating as untrusted', error);
    return false;
  }
}
