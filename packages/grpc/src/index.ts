// What the README's API section lists, and nothing else.
export { createClientInterceptor } from './client.js';
export { createServerInterceptor } from './server.js';
export type { ClientInterceptorOptions, ServerCallInfo, ServerInterceptorOptions } from './types.js';
