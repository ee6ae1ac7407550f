import {
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Link,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TraceState,
} from '@opentelemetry/api';
import { TraceState as LenientTraceState } from '@opentelemetry/core';
import { keepBaggageEntries, toBaggagePredicate } from './baggage-entries.js';
import { checkContextManager } from './context-manager-check.js';
import { neverThrow } from './never-throw.js';
import { anyOf, checkOptions, isBoolean, isFunction, isOptions, isPropagator, isString, isStringArray, type OptionCheck } from './option-checks.js';
import { resolvePropagator } from './propagator.js';
import { rememberRandomFlag } from './random-flag.js';
import { parseTraceState } from './tracestate.js';
import type { InboundContext, TrustPolicy } from './types.js';

/** What differs between inbound hops: the default for {@link TrustPolicy.acceptBaggage}, the propagator. */
export interface InboundDefaults {
  /** `true` for internal servers (gRPC), `false` at a public edge (GraphQL). */
  acceptBaggage: boolean;
  /** See {@link InstrumentationOptions.propagator}. */
  propagator?: TextMapPropagator | undefined;
}

/** A {@link TrustPolicy} compiled once per hop, applied once per request. */
export interface CompiledTrustPolicy<Request> {
  /**
   * The inbound path: continues the caller's trace on `base` (the context the
   * request would run in without one) when the policy trusts the caller, with
   * the baggage it accepts; otherwise `base` with no span and no baggage, and a
   * link to the caller's span. Never throws.
   */
  continueTrace<Carrier>(base: Context, carrier: Carrier, getter: TextMapGetter<Carrier>, request: Request): InboundContext;
  /**
   * The policy's baggage rules applied to baggage that something else
   * (instrumentation-http) already extracted into `context`. Never throws.
   */
  applyBaggagePolicy(context: Context, request: Request): Context;
}

/** The `trust` option of every inbound hop, checked key by key. */
export const isTrustPolicy: OptionCheck = isOptions('a trust policy object', {
  trustTraceContext: anyOf(isBoolean, isFunction('(request) => boolean')),
  acceptBaggage: anyOf(isBoolean, isStringArray('an array of baggage keys'), isFunction('(key, request) => boolean')),
  linkUntrusted: isBoolean,
  linkTrustedAs: isString(),
});

const isInboundDefaults: OptionCheck = {
  expects: 'an object { acceptBaggage: boolean, propagator? }',
  test: (value) => typeof (value as Partial<InboundDefaults> | null)?.acceptBaggage === 'boolean',
  shape: { acceptBaggage: isBoolean, propagator: isPropagator },
};

/**
 * Compiles `policy` with the hop's defaults, at factory time (not per
 * request). An option of the wrong type, or an unknown one, throws a
 * `TypeError` naming it.
 */
export function compileTrustPolicy<Request>(policy: TrustPolicy<Request> = {}, defaults: InboundDefaults): CompiledTrustPolicy<Request> {
  // Checked as two named arguments, so a message says `trust.acceptBaggage` or `hopDefaults.propagator`.
  checkOptions('compileTrustPolicy', { trust: policy, hopDefaults: defaults ?? null }, { trust: isTrustPolicy, hopDefaults: isInboundDefaults });
  return new TrustDecision(policy, defaults);
}

/** One compiled policy: what `continueTrace` and `applyBaggagePolicy` read per request. */
class TrustDecision<Request> implements CompiledTrustPolicy<Request> {
  private readonly trust: boolean | ((request: Request) => boolean);
  /** true and false stay as such: the hot path then skips the per-key loop. */
  private readonly accept: boolean | ((key: string, request: Request) => boolean);
  private readonly linkUntrusted: boolean;
  private readonly linkTrustedAs: string | undefined;
  private readonly propagator: TextMapPropagator | undefined;

  constructor(policy: TrustPolicy<Request>, defaults: InboundDefaults) {
    this.trust = policy.trustTraceContext ?? true;
    const accept = policy.acceptBaggage ?? defaults.acceptBaggage;
    this.accept = typeof accept === 'boolean' ? accept : toBaggagePredicate(accept);
    this.linkUntrusted = policy.linkUntrusted ?? true;
    this.linkTrustedAs = policy.linkTrustedAs;
    this.propagator = defaults.propagator;
  }

  continueTrace<Carrier>(base: Context, carrier: Carrier, getter: TextMapGetter<Carrier>, request: Request): InboundContext {
    checkContextManager();
    const start = withoutTraceContext(base);
    const extracted = neverThrow(extractRemote<Carrier>, undefined, EXTRACT_THREW, start, carrier, getter, this.propagator);
    if (!extracted) return { context: start, links: [], remote: undefined, trusted: false };
    const { context, remote } = extracted;
    if (!this.trusts(request)) {
      const links = remote && this.linkUntrusted ? [linkTo(remote, UNTRUSTED_CALLER)] : [];
      return { context: start, links, remote, trusted: false };
    }
    const kept = this.keepAccepted(context, request);
    const links = remote && this.linkTrustedAs !== undefined ? [linkTo(remote, this.linkTrustedAs)] : [];
    return { context: remote ? rememberRandomFlag(kept, remote) : kept, links, remote, trusted: true };
  }

  applyBaggagePolicy(context: Context, request: Request): Context {
    if (!propagation.getBaggage(context)) return context;
    return this.trusts(request) ? this.keepAccepted(context, request) : propagation.deleteBaggage(context);
  }

  private trusts(request: Request): boolean {
    const trust = this.trust;
    return typeof trust === 'boolean' ? trust : neverThrow(trust, false, TRUST_THREW, request);
  }

  private keepAccepted(context: Context, request: Request): Context {
    const accept = this.accept;
    if (accept === true || !propagation.getBaggage(context)) return context;
    if (accept === false) return propagation.deleteBaggage(context);
    return keepBaggageEntries(context, (key) => neverThrow(accept, false, ACCEPT_THREW, key, request));
  }
}

const EXTRACT_THREW = 'reading the inbound trace context threw; the request starts a new trace';
const TRUST_THREW = 'the trustTraceContext predicate threw; the caller is treated as untrusted';
const ACCEPT_THREW = 'the acceptBaggage predicate threw; the entry is dropped';

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';

/** `base` without a span or baggage: what the caller sends replaces them, never merges. */
function withoutTraceContext(base: Context): Context {
  if (base === ROOT_CONTEXT) return base;
  let context = base;
  if (trace.getSpan(context)) context = trace.deleteSpan(context);
  if (propagation.getBaggage(context)) context = propagation.deleteBaggage(context);
  return context;
}

function extractRemote<Carrier>(
  start: Context,
  carrier: Carrier,
  getter: TextMapGetter<Carrier>,
  propagator: TextMapPropagator | undefined,
): { context: Context; remote: SpanContext | undefined } {
  const traceparent = getter.get(carrier, TRACEPARENT);
  const effectiveGetter = isRepeated(traceparent) ? hideTraceContext(getter) : getter;
  let context = resolvePropagator(propagator).extract(start, carrier, effectiveGetter);
  let remote = validRemote(context);
  const tracestate = remote?.traceState ? getter.get(carrier, TRACESTATE) : undefined;
  if (remote?.traceState && isFromHeader(remote.traceState, tracestate)) {
    // Re-read tracestate strictly: an invalid header is dropped whole (W3C), not member by member.
    remote = { ...remote, traceState: parseTraceState(tracestate) };
    context = trace.setSpanContext(context, remote);
  }
  return { context, remote };
}

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
function hideTraceContext<Carrier>(getter: TextMapGetter<Carrier>): TextMapGetter<Carrier> {
  return {
    keys: (carrier) => getter.keys(carrier),
    get: (carrier, key) => (key === TRACEPARENT || key === TRACESTATE ? undefined : getter.get(carrier, key)),
  };
}

/**
 * Whether a trace state is the W3C propagator's reading of this `tracestate`
 * header. Another propagator's trace state (Sentry keeps the caller's
 * sampling context there, from `baggage`) is its own, not to be re-read.
 */
function isFromHeader(traceState: TraceState, header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  return new LenientTraceState(Array.isArray(header) ? header.join(',') : header).serialize() === traceState.serialize();
}

function validRemote(context: Context): SpanContext | undefined {
  const spanContext = trace.getSpanContext(context);
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

const UNTRUSTED_CALLER = 'untrusted_caller';

function linkTo(remote: SpanContext, reason: string): Link {
  return { context: remote, attributes: { 'tracehop.link.reason': reason } };
}
