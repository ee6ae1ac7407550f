/** Instrumentation scope of every span this package records. */
export const SCOPE_NAME = '@tracehop/envelop';
export const SCOPE_VERSION = '0.1.0';
