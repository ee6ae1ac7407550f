// What the README's API section lists, and nothing else.
export { useTraceContext } from './plugin.js';
export type { InboundRequest, TraceContextOptions } from './types.js';
