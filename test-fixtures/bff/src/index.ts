export { startBff, TOKENS } from './bff.js';
export type { Bff, BffOptions } from './bff.js';
export { startNodeBackend } from './node-backend.js';
export type { NodeBackend, NodeBackendOptions } from './node-backend.js';
export { createServiceTelemetry } from './telemetry.js';
export type { LogLine, ServiceTelemetry, ServiceTelemetryOptions } from './telemetry.js';
export { observeHandler, parseEchoRequest } from './echo-reply.js';
export type { EchoRequest, HandlerObservation } from './echo-reply.js';
