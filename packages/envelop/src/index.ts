export { useTraceContext } from './plugin.js';
export type { InboundRequest, OperationSpanName, TraceContextOptions } from './types.js';
