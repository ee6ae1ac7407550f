import { VERSION } from './version.js';

/** Instrumentation scope of every span this package records. */
export const SCOPE_NAME = '@tracehop/grpc';
/** The published version, generated from package.json by scripts/sync-versions.mjs. */
export const SCOPE_VERSION = VERSION;
