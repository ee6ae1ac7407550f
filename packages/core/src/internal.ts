// For tracehop's own packages: shared building blocks with no compatibility
// promise across minor versions. Applications import from `@tracehop/core`.
export { resolvePropagator } from './propagator.js';
export { CLOUD_TRACE_CONTEXT_HEADER, CloudTraceContextPropagator } from './cloud-trace-propagator.js';
export { limitBaggage, mergeBaggageLimits, W3C_BAGGAGE_MAX_BYTES, W3C_BAGGAGE_MAX_MEMBERS } from './baggage-limits.js';
export { keepBaggageEntries, toBaggagePredicate } from './baggage-entries.js';
export { parseTraceState, TRACESTATE_MAX_MEMBERS } from './tracestate.js';
export { RANDOM_TRACE_FLAG } from './random-flag.js';
export { SENTRY_TRACE_HEADER, SentryTracePropagator } from './sentry-trace-propagator.js';
export { DatadogPropagator } from './datadog-propagator.js';
export { semconvStability } from './semconv.js';
export type { SemconvStability } from './semconv.js';
