// What the README's API section lists, and nothing else.
export { createClientInterceptor } from './client.js';
export { createServerInterceptor } from './server.js';
export type {
  ClientCallEndInfo,
  ClientCallInfo,
  ClientInterceptorOptions,
  ServerCallEndInfo,
  ServerCallInfo,
  ServerInterceptorOptions,
} from './types.js';
