import { propagation, type TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { CloudTraceContextPropagator } from './cloud-trace-propagator.js';
import { DatadogPropagator } from './datadog-propagator.js';
import { MemoizedBaggagePropagator } from './memoized-baggage-propagator.js';
import { isBoolean } from './named-checks.js';
import { checkOptions } from './option-checks.js';
import { SentryTracePropagator } from './sentry-trace-propagator.js';

/** Options for {@link createPropagator}. */
export interface CreatePropagatorOptions {
  /**
   * Also read and write Google's legacy `X-Cloud-Trace-Context` header. When a
   * request carries both, `traceparent` wins.
   * @default false
   */
  cloudTraceContext?: boolean;
  /**
   * Read and write W3C `baggage`.
   * @default true
   */
  baggage?: boolean;
  /**
   * Also read and write Sentry's `sentry-trace`, for Sentry SDKs on their
   * defaults (they read no `traceparent`). When a request carries both,
   * `traceparent` wins. Only for callers you trust: `sentry-trace` and
   * `sentry-*` baggage steer Sentry's sampling.
   * @default false
   */
  sentryTrace?: boolean;
  /**
   * Also read dd-trace's `x-datadog-*` headers (never written: Datadog reads
   * W3C). When a request carries both, `traceparent` wins.
   * @default false
   */
  datadog?: boolean;
}

export const propagatorOptionChecks = { cloudTraceContext: isBoolean, baggage: isBoolean, sentryTrace: isBoolean, datadog: isBoolean };

/**
 * Builds a propagator from the well-kept W3C implementations in
 * `@opentelemetry/core`; nothing here parses `traceparent` by hand.
 */
export function createPropagator(options: CreatePropagatorOptions = {}): TextMapPropagator {
  checkOptions('createPropagator', options, propagatorOptionChecks);
  const propagators: TextMapPropagator[] = [];
  // CompositePropagator extracts in order and later ones win, so W3C goes last.
  if (options.datadog) propagators.push(new DatadogPropagator());
  if (options.sentryTrace) propagators.push(new SentryTracePropagator());
  if (options.cloudTraceContext) propagators.push(new CloudTraceContextPropagator());
  propagators.push(new W3CTraceContextPropagator());
  // W3C baggage exactly as W3CBaggagePropagator reads and writes it, remembering the work.
  if (options.baggage ?? true) propagators.push(new MemoizedBaggagePropagator());
  return new CompositePropagator({ propagators });
}

/** W3C trace context + W3C baggage: what tracehop uses when nothing is registered. */
export const defaultPropagator: TextMapPropagator = createPropagator();

/**
 * The propagator a hop should use right now: the explicit one, else the
 * registered global one, else {@link defaultPropagator}. Resolved per call,
 * because an SDK may be registered after an interceptor was created.
 */
export function resolvePropagator(explicit?: TextMapPropagator): TextMapPropagator {
  if (explicit) return explicit;
  // The API's no-op propagator reports no fields; any real one reports some.
  return propagation.fields().length > 0 ? propagation : defaultPropagator;
}
