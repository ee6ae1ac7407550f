// The OTLP gRPC exporter builds its metadata once, so a token that changes
// hourly can only ride on grpc-js call credentials (composed with TLS channel
// credentials: grpc-js refuses call credentials on an insecure channel).
// `createFromGoogleCredential` is no help: it reads `Object.keys()` of the
// headers, which google-auth-library >= 10 returns as a fetch `Headers`, so
// it sends nothing (grpc/grpc-node#2993).
import { createRequire } from 'node:module';
import type { CallCredentials, Metadata, credentials as grpcCredentials } from '@grpc/grpc-js';
import type { OptionCheck } from '@tracehop/core/internal';
import { resolveTokenSource, tokenOf } from './headers.js';
import { checkTokenSourceChoice, isHeaderName } from './token-options.js';
import type { GoogleIdTokenSource, IdTokenHeaderName, TokenSourceChoice } from './types.js';

/** The part of `@grpc/grpc-js` used; pass the app's own module to be sure both sides use one copy. */
export interface GrpcModule {
  credentials: Pick<typeof grpcCredentials, 'createFromMetadataGenerator'>;
  Metadata: typeof Metadata;
}

export type GoogleIdTokenCallCredentialsOptions = TokenSourceChoice & {
  /** @default 'Authorization' (sent as the `authorization` metadata key) */
  header?: IdTokenHeaderName;
  /**
   * The `@grpc/grpc-js` module to build the credentials with. Pass it in
   * bundles; without it and without grpc-js installed, the factory throws at
   * setup (no gRPC exporter could run then either).
   * @default require('@grpc/grpc-js') resolved from this package
   */
  grpc?: GrpcModule;
};

/** grpc-js call credentials with the source behind them, so the app can stop its refresh. */
export type GoogleIdTokenCallCredentials = CallCredentials & {
  readonly source: GoogleIdTokenSource;
  shutdown(): void;
};

function loadGrpc(): GrpcModule {
  // Synchronous on purpose: call credentials must exist when the exporter is built.
  return createRequire(import.meta.url)('@grpc/grpc-js') as GrpcModule;
}

/**
 * Call credentials for `@opentelemetry/exporter-trace-otlp-grpc`: every call
 * carries `authorization: Bearer <ID token>` (or `x-serverless-authorization`),
 * from the same single-flight, background-refreshed source as
 * `googleIdTokenHeaders`. Without a token (after `maxWaitMs`) the call goes out
 * without it and fails UNAUTHENTICATED; the generator never errors.
 */
const isGrpcModule: OptionCheck = {
  // Worded without an import statement: the tarball check reads `from '<package>'` in dist as one.
  expects: 'the @grpc/grpc-js module object (what `import * as grpc` gives)',
  test: (value) =>
    typeof (value as Partial<GrpcModule> | null)?.credentials?.createFromMetadataGenerator === 'function' &&
    typeof (value as GrpcModule).Metadata === 'function',
};

/** This factory's own options, beside a token source's. */
export const callCredentialsChecks = { header: isHeaderName, grpc: isGrpcModule };

export function googleIdTokenCallCredentials(options: GoogleIdTokenCallCredentialsOptions): GoogleIdTokenCallCredentials {
  checkTokenSourceChoice('googleIdTokenCallCredentials', options, callCredentialsChecks);
  const grpc = options.grpc ?? loadGrpc();
  const source = resolveTokenSource(options);
  const key = (options.header ?? 'Authorization').toLowerCase();
  const callCredentials = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    void tokenOf(source).then((token) => {
      const metadata = new grpc.Metadata();
      if (token !== undefined) metadata.set(key, `Bearer ${token}`);
      callback(null, metadata);
    });
  });
  return Object.assign(callCredentials, { source, shutdown: () => source.shutdown() });
}
