import { diag, propagation, type Context, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { limitBaggage } from './baggage-limits.js';
import { resolvePropagator } from './propagator.js';
import type { BaggageLimits } from './types.js';

/** Options for {@link injectOutbound}. */
export interface OutboundOptions {
  /** See {@link PropagationOptions.propagator}. */
  propagator?: TextMapPropagator | undefined;
  /**
   * Send baggage with the call. Turn off for calls that leave the trust
   * boundary (third-party APIs): baggage may carry tenant identifiers.
   * @default true
   */
  forwardBaggage?: boolean | undefined;
  /** Caps on the baggage sent; never above the W3C limits. */
  baggageLimits?: BaggageLimits | undefined;
}

/**
 * Writes `context` into an outbound carrier. Never throws: a failing
 * propagator or setter leaves the carrier as far as it got and the call goes on.
 */
export function injectOutbound<Carrier>(
  context: Context,
  carrier: Carrier,
  setter: TextMapSetter<Carrier>,
  options: OutboundOptions = {},
): void {
  try {
    const outbound =
      options.forwardBaggage === false ? propagation.deleteBaggage(context) : limitBaggage(context, options.baggageLimits);
    resolvePropagator(options.propagator).inject(outbound, carrier, setter);
  } catch (error) {
    diag.debug('tracehop: outbound propagator threw; the call continues without full context', error);
  }
}
