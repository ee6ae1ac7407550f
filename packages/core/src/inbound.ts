import { propagation, type Context, type Link, type SpanContext, type TextMapGetter, type TextMapPropagator } from '@opentelemetry/api';
import { keepBaggageEntries, toBaggagePredicate } from './baggage-entries.js';
import { checkContextManager } from './context-manager-check.js';
import { neverThrow } from './never-throw.js';
import { anyOf, isBoolean, isFunction, isOptions, isPropagator, isString, isStringArray } from './named-checks.js';
import { checkOptions, checkRequiredOption, type OptionCheck } from './option-checks.js';
import { rememberRandomFlag } from './random-flag.js';
import { extractRemote, withoutTraceContext } from './remote-context.js';
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

const isInboundDefaults = isOptions('an object { acceptBaggage: boolean, propagator? }', { acceptBaggage: isBoolean, propagator: isPropagator });

/** `compileTrustPolicy(trust, hopDefaults)`'s two arguments, checked as named options. */
export const trustPolicyArgumentChecks = { trust: isTrustPolicy, hopDefaults: isInboundDefaults };

/**
 * Compiles `policy` with the hop's defaults, at factory time (not per
 * request). An option of the wrong type, or an unknown one, throws a
 * `TypeError` naming it.
 */
export function compileTrustPolicy<Request>(policy: TrustPolicy<Request> = {}, defaults: InboundDefaults): CompiledTrustPolicy<Request> {
  // Checked as two named arguments, so a message says `trust.acceptBaggage` or `hopDefaults.propagator`.
  checkOptions('compileTrustPolicy', { trust: policy, hopDefaults: defaults ?? null }, trustPolicyArgumentChecks);
  checkRequiredOption('compileTrustPolicy', 'hopDefaults.acceptBaggage', defaults.acceptBaggage, isBoolean);
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

const UNTRUSTED_CALLER = 'untrusted_caller';

function linkTo(remote: SpanContext, reason: string): Link {
  return { context: remote, attributes: { 'tracehop.link.reason': reason } };
}
