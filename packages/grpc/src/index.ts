export { createClientInterceptor } from './client.js';
export { createServerInterceptor } from './server.js';
export { metadataGetter, metadataSetter } from './metadata-carrier.js';
export { parseTarget } from './attributes.js';
export type { ClientInterceptorOptions, RpcSpanOptions, ServerCallInfo, ServerInterceptorOptions } from './types.js';
