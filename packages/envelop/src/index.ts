// What the README's API section lists, and nothing else.
export { useTraceContext } from './plugin.js';
export type { IgnoredOperationCandidate, IgnoreOperations, InboundRequest, TraceContextOptions } from './types.js';
