// The set-up every tracehop test file needs, written once: the real
// OpenTelemetry SDK with an in-memory exporter, the AsyncLocalStorage context
// manager an app installs, W3C header helpers, and servers on 127.0.0.1:0.
export { baggageOf, createTracing, useAsyncContext, withBaggage } from './otel.js';
export type { Tracing } from './otel.js';
export { parentSpanId, parseTraceparent, randomTraceparent } from './traceparent.js';
export { listen } from './http.js';
export type { HttpHandle } from './http.js';
export { startGrpcServer } from './grpc.js';
export type { RunningGrpcServer } from './grpc.js';
export { describeOptionTables, optionPaths } from './option-table.js';
export type { OptionTable } from './option-table.js';
export { documentedNames, exportedNames, testPublicApi } from './public-api.js';
