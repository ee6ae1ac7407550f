import { propagation, type Context, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { limitBaggage } from './baggage-limits.js';
import { neverThrow } from './never-throw.js';
import { resolvePropagator } from './propagator.js';
import { withRandomFlag } from './random-flag.js';
import { SentryTracePropagator } from './sentry-trace-propagator.js';
import type { BaggageLimits } from './types.js';

/** Options for {@link injectOutbound}. */
export interface OutboundOptions {
  /** See {@link InstrumentationOptions.propagator}. */
  propagator?: TextMapPropagator | undefined;
  /**
   * Send baggage with the call. Turn off for calls that leave the trust
   * boundary (third-party APIs): baggage may carry tenant identifiers.
   * @default true
   */
  forwardBaggage?: boolean | undefined;
  /** Caps on the baggage sent; never above the W3C limits. Merged field by field over the hop's defaults. */
  baggageLimits?: BaggageLimits | undefined;
  /**
   * Also write Sentry's `sentry-trace` header (`<trace>-<span>-<sampled>`) for
   * the same span, so a Sentry-instrumented service downstream continues this
   * trace instead of starting its own (Sentry's propagator ignores `traceparent`).
   * @default false
   */
  sentryTrace?: boolean | undefined;
}

const sentryTrace = new SentryTracePropagator();

/**
 * The outbound path: writes `context` into a carrier with the propagator,
 * baggage within the limits, and Level 2's random flag carried on (see
 * `random-flag.ts`). Never throws: a failing propagator or setter leaves the
 * carrier as far as it got and the call goes on.
 */
export function injectOutbound<Carrier>(
  context: Context,
  carrier: Carrier,
  setter: TextMapSetter<Carrier>,
  options: OutboundOptions = {},
): void {
  neverThrow(
    () => {
      const withBaggage = options.forwardBaggage === false ? propagation.deleteBaggage(context) : limitBaggage(context, options.baggageLimits);
      const outbound = withRandomFlag(withBaggage);
      resolvePropagator(options.propagator).inject(outbound, carrier, setter);
      if (options.sentryTrace) sentryTrace.inject(outbound, carrier, setter);
    },
    undefined,
    'the outbound propagator threw; the call goes on without its full context',
  );
}
