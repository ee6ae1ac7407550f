import { TraceFlags, type SpanContext } from '@opentelemetry/api';
import { spanIdToDecimal, traceIdToCloudLogging, traceIdToDatadog } from '@tracehop/core';
import type { DatadogFormatOptions, OtelFormatOptions, TraceMixinOptions } from './types.js';

/**
 * One span context's trace fields as a fresh object, built as a literal so
 * every line of a format has the same V8 shape (pino then merges call-site
 * fields into it and serializes it; a stable shape keeps both fast).
 */
export type TraceFieldWriter = (spanContext: SpanContext) => Record<string, unknown>;

/** Picks the writer for `options.format` (already checked), with its options resolved once. */
export function createTraceFieldWriter(options: TraceMixinOptions): TraceFieldWriter {
  switch (options.format) {
    case 'gcp':
      return gcpWriter(options.projectId);
    case 'datadog':
      return datadogWriter(options);
    default:
      return otelWriter(options);
  }
}

function otelWriter(options: OtelFormatOptions): TraceFieldWriter {
  const traceIdKey = options.logKeys?.traceId ?? 'trace_id';
  const spanIdKey = options.logKeys?.spanId ?? 'span_id';
  const traceFlagsKey = options.logKeys?.traceFlags ?? 'trace_flags';
  if (traceIdKey === 'trace_id' && spanIdKey === 'span_id' && traceFlagsKey === 'trace_flags') {
    return (spanContext) => ({
      trace_id: spanContext.traceId,
      span_id: spanContext.spanId,
      trace_flags: formatTraceFlags(spanContext.traceFlags),
    });
  }
  return (spanContext) => ({
    [traceIdKey]: spanContext.traceId,
    [spanIdKey]: spanContext.spanId,
    [traceFlagsKey]: formatTraceFlags(spanContext.traceFlags),
  });
}

/** W3C `trace-flags`: always two lowercase hex digits (`"01"`, `"00"`). */
function formatTraceFlags(flags: number): string {
  if (flags === TraceFlags.SAMPLED) return '01';
  if (flags === TraceFlags.NONE) return '00';
  return (flags & 0xff).toString(16).padStart(2, '0');
}

function gcpWriter(projectId: string | undefined): TraceFieldWriter {
  // Many lines per trace: format the trace resource name once per trace ID.
  const traceNames = lastValueCache((traceId) => traceIdToCloudLogging(traceId, projectId));
  // Cloud Logging's special payload fields (docs: structured-logging#special-payload-fields).
  // The keys spelled out, not computed: V8 builds a literal with constant
  // keys from one template; computed keys are added one by one.
  return (spanContext) => ({
    'logging.googleapis.com/trace': traceNames(spanContext.traceId),
    'logging.googleapis.com/spanId': spanContext.spanId,
    // Explicit false too: an unsampled trace ID still correlates a request's lines.
    'logging.googleapis.com/trace_sampled': (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
  });
}

/**
 * Datadog's log/trace correlation: a nested `dd` object (what dd-trace writes,
 * read as `dd.trace_id` by the trace remapper) with unsigned 64-bit decimals
 * as strings, since they exceed JavaScript's safe integers.
 */
function datadogWriter(options: DatadogFormatOptions): TraceFieldWriter {
  const tags: Record<string, string> = {};
  if (options.service !== undefined) tags.service = options.service;
  if (options.env !== undefined) tags.env = options.env;
  if (options.version !== undefined) tags.version = options.version;
  // Many lines are written per span and per trace: convert each ID once (BigInt is the costly part).
  const traceIds = lastValueCache(traceIdToDatadog);
  const spanIds = lastValueCache(spanIdToDecimal);
  const hasTags = Object.keys(tags).length > 0;
  return (spanContext) => ({
    dd: hasTags
      ? { trace_id: traceIds(spanContext.traceId), span_id: spanIds(spanContext.spanId), ...tags }
      : { trace_id: traceIds(spanContext.traceId), span_id: spanIds(spanContext.spanId) },
  });
}

/** Remembers the last input and its result: the hot path logs many lines for one ID. */
function lastValueCache(convert: (input: string) => string): (input: string) => string {
  let lastInput: string | undefined;
  let lastOutput = '';
  return (input) => {
    if (input !== lastInput) {
      lastOutput = convert(input);
      lastInput = input;
    }
    return lastOutput;
  };
}
