import {
  diag,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  trace,
  type BaggageEntry,
  type Context,
  type Link,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
} from '@opentelemetry/api';
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
  let baggageFilter: CompiledTrustPolicy<Request>['baggageFilter'];
  if (accept === true) baggageFilter = undefined;
  else if (accept === false) baggageFilter = false;
  else if (typeof accept === 'function') baggageFilter = accept;
  else {
    const allowed = new Set(accept);
    baggageFilter = (key) => allowed.has(key);
  }
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
    remoteContext = resolvePropagator(propagator).extract(ROOT_CONTEXT, carrier, withoutRepeatedTraceparent(getter));
  } catch (error) {
    diag.debug('tracehop: inbound propagator threw; starting a new trace', error);
    return { context: ROOT_CONTEXT, links: [], remote: undefined, trusted: false };
  }

  let remote = validRemote(remoteContext);
  if (remote?.traceState) {
    // Re-read tracestate strictly: an invalid header is dropped whole (W3C), not member by member.
    remote = { ...remote, traceState: safely(() => parseTraceState(getter.get(carrier, 'tracestate')), undefined) };
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
  const kept: Record<string, BaggageEntry> = {};
  let count = 0;
  for (const [key, entry] of baggage.getAllEntries()) {
    if (safely(() => filter(key, request), false)) {
      kept[key] = entry;
      count++;
    }
  }
  return count === 0 ? propagation.deleteBaggage(context) : propagation.setBaggage(context, propagation.createBaggage(kept));
}

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
const guardedGetters = new WeakMap<TextMapGetter<never>, TextMapGetter<never>>();

/**
 * W3C: a request with more than one `traceparent` has an invalid one, and then
 * `tracestate` must not be read either. Repeated headers reach us as an array
 * or joined with ", " — and a joined pair can even parse, when the first is a
 * future version whose allowed `-suffix` swallows the rest. This getter hides
 * both headers in that case, so every propagator sees a request without them.
 */
function withoutRepeatedTraceparent<Carrier>(getter: TextMapGetter<Carrier>): TextMapGetter<Carrier> {
  let guarded = guardedGetters.get(getter) as TextMapGetter<Carrier> | undefined;
  if (!guarded) {
    guarded = {
      keys: (carrier) => getter.keys(carrier),
      get(carrier, key) {
        if (key !== TRACEPARENT && key !== TRACESTATE) return getter.get(carrier, key);
        const traceparent = getter.get(carrier, TRACEPARENT);
        const repeated = Array.isArray(traceparent) ? traceparent.length > 1 || traceparent[0]?.includes(',') : traceparent?.includes(',');
        if (repeated) return undefined;
        return key === TRACEPARENT ? traceparent : getter.get(carrier, key);
      },
    };
    guardedGetters.set(getter, guarded);
  }
  return guarded;
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
