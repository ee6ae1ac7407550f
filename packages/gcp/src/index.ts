// Getting spans out on Google Cloud. Each entry point is its own module; the
// Cloud Run edge preset (`cloudRunEdge`) will join them as `./cloud-run-edge.js`.
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
