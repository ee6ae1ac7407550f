export { traceMixin } from './trace-mixin.js';
export { gcpLoggerOptions, severityOf } from './gcp-logger-options.js';
export { formatTraceFlags, GCP_SPAN_ID_KEY, GCP_TRACE_KEY, GCP_TRACE_SAMPLED_KEY } from './trace-fields.js';
export type {
  CommonMixinOptions,
  DatadogFormatOptions,
  GcpFormatOptions,
  GcpLoggerOptions,
  OtelFormatOptions,
  OtelLogKeys,
  PinoMixin,
  TraceLogFormat,
  TraceMixinOptions,
  UserMixin,
} from './types.js';
