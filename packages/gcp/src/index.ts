// Getting spans out on Google Cloud, and in from Cloud Run's front end. Each entry point is its own module.
export { createGoogleIdTokenSource } from './token-source.js';
export { googleIdTokenHeaders } from './headers.js';
export {
  googleIdTokenCallCredentials,
  type GoogleIdTokenCallCredentials,
  type GoogleIdTokenCallCredentialsOptions,
  type GrpcModule,
} from './call-credentials.js';
export type {
  GoogleAuthLike,
  GoogleIdTokenHeadersFactory,
  GoogleIdTokenHeadersOptions,
  GoogleIdTokenSource,
  GoogleIdTokenSourceOptions,
  IdTokenHeaderName,
  IdTokenProvider,
  TokenSourceChoice,
} from './types.js';
export { cloudRunEdge, type CloudRunEdge, type CloudRunEdgeOptions } from './cloud-run-edge.js';
