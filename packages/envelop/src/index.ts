export { useTraceContext } from './plugin.js';
export { OTHER_OPERATION_NAME } from './operation-names.js';
export type { OperationNamePolicy } from './operation-names.js';
export type { InboundRequest, OperationSpanName, TraceContextOptions } from './types.js';
