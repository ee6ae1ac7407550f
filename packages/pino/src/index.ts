// What the README's API section lists, and nothing else.
export { traceMixin } from './trace-mixin.js';
export { gcpLoggerOptions } from './gcp-logger-options.js';
export type { TraceLogFormat, TraceMixinOptions } from './types.js';
