// The kernel every hop shares. What tracehop's own packages need beyond this
// lives in `@tracehop/core/internal`, with no compatibility promise.
export type { BaggageLimits, ContextEnricher, InboundContext, InstrumentationOptions, TrustPolicy } from './types.js';
export type { BaggageAcceptance } from './baggage-entries.js';
export { createPropagator, defaultPropagator } from './propagator.js';
export type { CreatePropagatorOptions } from './propagator.js';
export { compileTrustPolicy } from './inbound.js';
export type { CompiledTrustPolicy, InboundDefaults } from './inbound.js';
export { injectOutbound } from './outbound.js';
export type { OutboundOptions } from './outbound.js';
export { neverThrow } from './never-throw.js';
export { headersGetter } from './headers.js';
export type { HeadersLike } from './headers.js';
export { decimalToSpanId, spanIdToDecimal, traceIdToCloudLogging, traceIdToDatadog } from './ids.js';
