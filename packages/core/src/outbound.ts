import { diag, propagation, type Context, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { isBaggageLimits, limitBaggage, mergeBaggageLimits, W3C_BAGGAGE_LIMITS } from './baggage-limits.js';
import { checkContextManager } from './context-manager-check.js';
import { neverThrow } from './never-throw.js';
import { isBoolean, isPropagator } from './named-checks.js';
import { checkOptions, describeValue, type OptionSchema } from './option-checks.js';
import { resolvePropagator } from './propagator.js';
import { withRandomFlag } from './random-flag.js';
import { SENTRY_TRACE_HEADER, SentryTracePropagator } from './sentry-trace-propagator.js';
import type { BaggageLimits } from './types.js';

/** Options for {@link compileOutbound}; every outbound hop's options extend these. */
export interface OutboundOptions {
  /** See {@link InstrumentationOptions.propagator}. */
  propagator?: TextMapPropagator | undefined;
  /**
   * Send baggage with the call. Turn off for calls that leave the trust
   * boundary (third-party APIs): baggage may carry tenant identifiers.
   * @default true
   */
  forwardBaggage?: boolean | undefined;
  /**
   * Caps on the baggage sent, merged field by field over the hop's defaults;
   * never above the W3C limits (64 members, 8192 bytes).
   * @default the hop's: { maxMembers: 64, maxBytes: 8192 } here, 4096 bytes for gRPC
   */
  baggageLimits?: BaggageLimits | undefined;
  /**
   * Also write Sentry's `sentry-trace` header (`<trace>-<span>-<sampled>`) for
   * the same span, so a Sentry-instrumented service downstream continues this
   * trace instead of starting its own (Sentry's propagator ignores `traceparent`).
   * @default false
   */
  sentryTrace?: boolean | undefined;
}

/** What differs between outbound hops. */
export interface OutboundDefaults {
  /** The hop's own caps, under W3C's (gRPC: 4096 bytes, for grpc-java's 8 KiB header limit). @default { maxMembers: 64, maxBytes: 8192 } */
  baggageLimits?: Required<BaggageLimits>;
}

/** {@link OutboundOptions} compiled once per hop, applied once per call. */
export interface CompiledOutbound {
  /**
   * Writes `context` into `carrier`: the propagator's headers, baggage within
   * the limits, W3C Level 2's random flag carried on (see `random-flag.ts`),
   * `sentry-trace` when asked. Never throws: a failing propagator or setter
   * leaves the carrier as far as it got and the call goes on.
   */
  inject<Carrier>(context: Context, carrier: Carrier, setter: TextMapSetter<Carrier>): void;
  /**
   * Every header `inject` may write, for removing stale copies from a carrier
   * the caller filled (so no old `traceparent`, and with `forwardBaggage:
   * false` no `baggage`, leaves). Never throws.
   */
  fields(): readonly string[];
}

/** The options {@link compileOutbound} reads, with their checks; a hop's own schema spreads them. */
export const outboundChecks: OptionSchema = {
  propagator: isPropagator,
  forwardBaggage: isBoolean,
  baggageLimits: isBaggageLimits,
  sentryTrace: isBoolean,
};

/**
 * The outbound twin of `compileTrustPolicy`: checks `options` and merges them
 * over the hop's defaults, once, when the hop is created. A wrong type or a
 * limit that is not a non-negative integer throws a `TypeError` naming the
 * option. Reads only its own options, so a hop passes its whole options
 * object (the hop's factory rejects keys it does not know).
 */
export function compileOutbound(options: OutboundOptions = {}, defaults: OutboundDefaults = {}): CompiledOutbound {
  checkOptions('compileOutbound', options, outboundChecks, 'ignore');
  return new Outbound(options, defaults.baggageLimits ?? W3C_BAGGAGE_LIMITS);
}

class Outbound implements CompiledOutbound {
  private readonly propagator: TextMapPropagator | undefined;
  private readonly forwardBaggage: boolean;
  private readonly limits: Readonly<Required<BaggageLimits>>;
  private readonly sentryTrace: boolean;
  /** A propagator's fields never change; asking costs an array copy per call. */
  private readonly fieldsByPropagator = new WeakMap<TextMapPropagator, readonly string[]>();

  constructor(options: OutboundOptions, defaultLimits: Required<BaggageLimits>) {
    this.propagator = options.propagator;
    this.forwardBaggage = options.forwardBaggage ?? true;
    this.limits = mergeBaggageLimits(defaultLimits, options.baggageLimits);
    this.sentryTrace = options.sentryTrace ?? false;
  }

  inject<Carrier>(context: Context, carrier: Carrier, setter: TextMapSetter<Carrier>): void {
    checkContextManager();
    neverThrow(injectInto, undefined, INJECT_THREW, this, context, carrier, setter as TextMapSetter);
  }

  /** @internal the body of {@link inject}, run under `neverThrow`. */
  write(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const withBaggage = this.forwardBaggage ? limitBaggage(context, this.limits) : propagation.deleteBaggage(context);
    const outbound = withRandomFlag(withBaggage);
    resolvePropagator(this.propagator).inject(outbound, carrier, setter);
    if (this.sentryTrace) sentryTrace.inject(outbound, carrier, setter);
  }

  fields(): readonly string[] {
    const propagator = resolvePropagator(this.propagator);
    let fields = this.fieldsByPropagator.get(propagator);
    if (!fields) {
      const own = neverThrow(fieldsOf, [], FIELDS_THREW, propagator);
      fields = this.sentryTrace ? [...own, SENTRY_TRACE_HEADER] : own;
      this.fieldsByPropagator.set(propagator, fields);
    }
    return fields;
  }
}

const sentryTrace = new SentryTracePropagator();
const INJECT_THREW = 'the outbound propagator threw; the call goes on without its full context';
const FIELDS_THREW = "the propagator's fields() threw; stale headers in the caller's carrier are not removed";

function injectInto(outbound: Outbound, context: Context, carrier: unknown, setter: TextMapSetter): void {
  outbound.write(context, carrier, setter);
}

function fieldsOf(propagator: TextMapPropagator): readonly string[] {
  return propagator.fields();
}

/** What {@link injectOutbound} uses without options: W3C limits, baggage on, no `sentry-trace`. */
const defaultOutbound = new Outbound({}, W3C_BAGGAGE_LIMITS);
/** What it uses for options that do not pass the checks. */
const withoutBaggage = new Outbound({ forwardBaggage: false }, W3C_BAGGAGE_LIMITS);
const compiledByOptions = new WeakMap<object, CompiledOutbound>();

/**
 * The outbound path for one call: {@link compileOutbound}'s `inject`, for
 * code that holds options rather than a compiled hop. Pass what
 * `compileOutbound` returned (compiled at start-up, where a bad option
 * throws), or options, compiled on first use and remembered per object.
 * Never throws: options that do not pass the checks send the trace context
 * and no baggage (the cautious reading of a broken cap), with one `diag`
 * warning per options object.
 */
export function injectOutbound<Carrier>(
  context: Context,
  carrier: Carrier,
  setter: TextMapSetter<Carrier>,
  outbound: CompiledOutbound | OutboundOptions = defaultOutbound,
): void {
  const compiled = outbound instanceof Outbound ? outbound : compiledFor(outbound);
  compiled.inject(context, carrier, setter);
}

function compiledFor(options: unknown): CompiledOutbound {
  if (typeof options !== 'object' || options === null) {
    diag.warn(`tracehop: injectOutbound: options must be an object, got ${describeValue(options)}; the call sends no baggage`);
    return withoutBaggage;
  }
  let compiled = compiledByOptions.get(options);
  if (!compiled) {
    compiled = isCompiled(options) ? options : neverThrow(compileOutbound, withoutBaggage, INVALID_OPTIONS, options);
    compiledByOptions.set(options, compiled);
  }
  return compiled;
}

/** One made by another copy of this package (ESM next to CommonJS). */
function isCompiled(options: object): options is CompiledOutbound {
  return typeof (options as Partial<CompiledOutbound>).inject === 'function' && typeof (options as Partial<CompiledOutbound>).fields === 'function';
}

const INVALID_OPTIONS = 'injectOutbound was given options that do not pass the checks; calls with them send no baggage';
