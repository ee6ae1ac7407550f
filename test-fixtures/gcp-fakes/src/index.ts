export { createIssuer, GOOGLE_ISSUER, type IdTokenClaims, type Issuer, type Jwk, type Jwks, type VerifyResult } from './issuer.js';
export {
  startFakeMetadataServer,
  type FakeMetadataServer,
  type FakeMetadataServerOptions,
  type MetadataMode,
} from './metadata-server.js';
export { applyEnv, childEnv, metadataEnv, type EnvPatch } from './env.js';
