export { createIssuer, GOOGLE_ISSUER, type IdTokenClaims, type Issuer, type Jwk, type Jwks, type VerifyResult } from './issuer.js';
export {
  startFakeMetadataServer,
  type FakeMetadataServer,
  type FakeMetadataServerOptions,
  type MetadataMode,
} from './metadata-server.js';
export { applyEnv, childEnv, metadataEnv, type EnvPatch } from './env.js';
export {
  startCloudRunFrontEnd,
  type CloudRunFrontEnd,
  type CloudRunFrontEndOptions,
  type FrontEndRecord,
} from './cloud-run-front-end.js';
export { credentialHeader, decide, SIGNATURE_REMOVED, type CredentialHeader, type IamDecision, type IamPolicy } from './cloud-run-front-end-iam.js';
export { DEFAULT_STARTUP_PROBE, probeOnce, type CloudRunProbe, type ProbeRecord } from './cloud-run-front-end-probes.js';
