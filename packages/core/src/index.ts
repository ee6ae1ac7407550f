// The kernel every hop shares: what its README's API section lists, nothing
// else. Building blocks for tracehop's own packages live in
// `@tracehop/core/internal`, with no compatibility promise.
export type { BaggageLimits, ContextEnricher, InboundContext, InstrumentationOptions, TrustPolicy } from './types.js';
export type { BaggageAcceptance } from './baggage-entries.js';
export { createPropagator } from './propagator.js';
export type { CreatePropagatorOptions } from './propagator.js';
export { compileTrustPolicy } from './inbound.js';
export type { CompiledTrustPolicy, InboundDefaults } from './inbound.js';
export { compileOutbound, injectOutbound } from './outbound.js';
export type { CompiledOutbound, OutboundDefaults, OutboundOptions } from './outbound.js';
export { neverReject, neverThrow } from './never-throw.js';
export { headersGetter } from './headers.js';
export type { HeadersLike } from './headers.js';
export { spanIdToDecimal, traceIdToCloudLogging, traceIdToDatadog } from './ids.js';
