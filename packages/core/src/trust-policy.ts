import {
  diag,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Link,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
} from '@opentelemetry/api';
import { keepBaggageEntries, toBaggagePredicate } from './baggage-entries.js';
import { resolvePropagator } from './propagator.js';
import { parseTraceState } from './tracestate.js';
import type { InboundContext, TrustPolicy } from './types.js';

/** A {@link TrustPolicy} with its defaults applied, ready for the hot path. */
export interface CompiledTrustPolicy<Request> {
  trustsTraceContext(request: Request): boolean;
  /** `undefined` keeps every entry; a function keeps the keys it accepts. */
  readonly baggageFilter: false | undefined | ((key: string, request: Request) => boolean);
  readonly linkUntrusted: boolean;
}

/** Compiles a policy once, at factory time, with the hop's defaults. */
export function compileTrustPolicy<Request>(
  policy: TrustPolicy<Request> = {},
  defaults: { acceptBaggage: boolean },
): CompiledTrustPolicy<Request> {
  const trust = policy.trustTraceContext ?? true;
  const accept = policy.acceptBaggage ?? defaults.acceptBaggage;
  // true and false are kept as such: the hot path then skips the per-key loop.
  const baggageFilter = typeof accept === 'boolean' ? (accept ? undefined : false) : toBaggagePredicate(accept);
  return {
    trustsTraceContext: typeof trust === 'function' ? trust : () => trust,
    baggageFilter,
    linkUntrusted: policy.linkUntrusted ?? true,
  };
}

/**
 * The inbound path every server-side hop shares: extract with the propagator,
 * then apply the trust policy. Never throws: a throwing propagator, getter or
 * predicate yields a fresh root context.
 */
export function extractInbound<Carrier, Request>(
  carrier: Carrier,
  getter: TextMapGetter<Carrier>,
  policy: CompiledTrustPolicy<Request>,
  request: Request,
  propagator?: TextMapPropagator,
): InboundContext {
  let remoteContext: Context;
  try {
    const traceparent = getter.get(carrier, TRACEPARENT);
    const effectiveGetter = isRepeated(traceparent) ? withoutTraceContext(getter) : getter;
    remoteContext = resolvePropagator(propagator).extract(ROOT_CONTEXT, carrier, effectiveGetter);
  } catch (error) {
    diag.debug('tracehop: inbound propagator threw; starting a new trace', error);
    return { context: ROOT_CONTEXT, links: [], remote: undefined, trusted: false };
  }

  let remote = validRemote(remoteContext);
  if (remote?.traceState) {
    // Re-read tracestate strictly: an invalid header is dropped whole (W3C), not member by member.
    remote = { ...remote, traceState: safely(() => parseTraceState(getter.get(carrier, TRACESTATE)), undefined) };
    remoteContext = trace.setSpanContext(remoteContext, remote);
  }
  const trusted = safely(() => policy.trustsTraceContext(request), false);

  if (!trusted) {
    return {
      context: ROOT_CONTEXT,
      links: remote && policy.linkUntrusted ? [linkTo(remote)] : [],
      remote,
      trusted: false,
    };
  }
  return { context: keepAcceptedBaggage(remoteContext, policy, request), links: [], remote, trusted: true };
}

/**
 * Keeps only the baggage `policy` accepts from this caller: none from an
 * untrusted one, `acceptBaggage`'s choice from a trusted one. For baggage that
 * something else extracted (instrumentation-http) before tracehop saw the
 * request. Never throws.
 */
export function applyBaggagePolicy<Request>(context: Context, policy: CompiledTrustPolicy<Request>, request: Request): Context {
  if (!propagation.getBaggage(context)) return context;
  return safely(() => policy.trustsTraceContext(request), false)
    ? keepAcceptedBaggage(context, policy, request)
    : propagation.deleteBaggage(context);
}

/** `acceptBaggage`'s choice, for a caller already found trusted. */
function keepAcceptedBaggage<Request>(context: Context, policy: CompiledTrustPolicy<Request>, request: Request): Context {
  const baggage = propagation.getBaggage(context);
  if (!baggage || policy.baggageFilter === undefined) return context;
  if (policy.baggageFilter === false) return propagation.deleteBaggage(context);
  const filter = policy.baggageFilter;
  return keepBaggageEntries(context, (key) => safely(() => filter(key, request), false));
}

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';

/**
 * W3C: a request with more than one `traceparent` has an invalid one.
 * Repeated headers reach us as an array or joined with ", ". A joined pair can
 * even parse, when the first is a future version whose allowed `-suffix`
 * swallows the rest.
 */
function isRepeated(traceparent: string | string[] | undefined): boolean {
  if (Array.isArray(traceparent)) return traceparent.length > 1 || (traceparent[0]?.includes(',') ?? false);
  return traceparent?.includes(',') ?? false;
}

/**
 * The getter with `traceparent` and `tracestate` hidden (`tracestate` must not
 * be read once `traceparent` is invalid), so every propagator sees a request
 * without them. Only built for the rare request that repeats `traceparent`.
 */
function withoutTraceContext<Carrier>(getter: TextMapGetter<Carrier>): TextMapGetter<Carrier> {
  return {
    keys: (carrier) => getter.keys(carrier),
    get: (carrier, key) => (key === TRACEPARENT || key === TRACESTATE ? undefined : getter.get(carrier, key)),
  };
}

function validRemote(context: Context): SpanContext | undefined {
  const spanContext = trace.getSpanContext(context);
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

function linkTo(remote: SpanContext): Link {
  return { context: remote, attributes: { 'tracehop.link.reason': 'untrusted_caller' } };
}

function safely<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (error) {
    diag.debug('tracehop: trust policy callback threw; treating as untrusted', error);
    return fallback;
  }
}
