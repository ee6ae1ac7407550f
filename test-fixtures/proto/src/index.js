// Loads echo.proto for @grpc/grpc-js. Plain JavaScript so that ESM, CommonJS
// and bundled child-process fixtures can all import it without a build step.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';

const require = createRequire(import.meta.url);

/** Absolute path of the shared echo.proto. */
export const echoProtoPath = fileURLToPath(new URL('../echo.proto', import.meta.url));

/** Fully-qualified service name, as it appears in `rpc.method`. */
export const echoServiceName = 'tracehop.fixture.Echo';

/**
 * Loads the Echo service with the given grpc-js module (pass the app's own copy
 * so that client and server classes come from the module the app uses).
 * @param {typeof import('@grpc/grpc-js')} [grpc]
 */
export function loadEcho(grpc = require('@grpc/grpc-js')) {
  const definition = protoLoader.loadSync(echoProtoPath, { keepCase: true, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition);
  const Echo = pkg.tracehop.fixture.Echo;
  return { Echo, service: Echo.service };
}
