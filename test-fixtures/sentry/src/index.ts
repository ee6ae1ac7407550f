export { parseEnvelope, startSentryIngest } from './ingest.js';
export { startChildService } from './child-service.js';
export type { ChildService } from './child-service.js';
export { sentryMembers } from './observation.js';
export type { BackendObservation } from './observation.js';
export type { SentryEnvelopeItem, SentryEvent, SentryIngest, SentrySpan, SentryTraceContext } from './types.js';
