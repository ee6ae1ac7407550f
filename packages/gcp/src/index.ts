// Getting spans out on Google Cloud, and in from Cloud Run's front end: what
// the README's API section lists, and nothing else.
export { createGoogleIdTokenSource } from './token-source.js';
export { googleIdTokenHeaders } from './headers.js';
export { googleIdTokenCallCredentials } from './call-credentials.js';
export type { GoogleIdTokenCallCredentials, GoogleIdTokenCallCredentialsOptions } from './call-credentials.js';
export type { GoogleIdTokenHeadersFactory, GoogleIdTokenHeadersOptions, GoogleIdTokenSource, GoogleIdTokenSourceOptions } from './types.js';
export { cloudRunEdge } from './cloud-run-edge.js';
export type { CloudRunEdge, CloudRunEdgeOptions } from './cloud-run-edge.js';
