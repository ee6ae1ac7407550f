// `@tracehop/doctor/testing`: the doctor's OTLP receiver and trace printer for
// tests and demos that receive spans the way the doctor does.
export { startReceiver } from './receiver.js';
export type { Receiver, ReceiverOptions } from './receiver.js';
export { renderTrace, traceTree } from './trace-tree.js';
export type { TraceTree } from './trace-tree.js';
export type { SpanKindName, TreeSpan } from './types.js';
