import {
  anyOf,
  checkOptions,
  isFunction,
  isNonEmptyString,
  isNonNegativeInteger,
  isOneOf,
  isOptions,
  isString,
  isStringArray,
  isStringRecord,
  type OptionSchema,
} from '@tracehop/core/internal';
import type { TraceLogFormat, TraceMixinOptions } from './types.js';

const commonChecks: OptionSchema = {
  baggageKeys: anyOf(isStringArray('an array of baggage keys'), isStringRecord('an object mapping baggage keys to field names')),
  maxBaggageValueLength: isNonNegativeInteger,
  mixin: isFunction('(mergeObject, level, logger) => object'),
};

/** The options only one format takes, and that format. */
const formatChecks: Readonly<Record<TraceLogFormat, OptionSchema>> = {
  otel: {
    logKeys: isOptions('an object { traceId?, spanId?, traceFlags? }', {
      traceId: isNonEmptyString(),
      spanId: isNonEmptyString(),
      traceFlags: isNonEmptyString(),
    }),
  },
  gcp: { projectId: isString() },
  datadog: { service: isString(), env: isString(), version: isString() },
};

export const gcpLoggerOptionChecks: OptionSchema = { ...commonChecks, ...formatChecks.gcp };

export const mixinOptionChecks: OptionSchema = {
  format: isOneOf('otel', 'gcp', 'datadog'),
  ...commonChecks,
  ...formatChecks.otel,
  ...formatChecks.gcp,
  ...formatChecks.datadog,
};

/**
 * Checks `traceMixin`'s options: each one's type, then that a format's own
 * options (`projectId`, `service`…) come with that format, since the others
 * would ignore them.
 */
export function checkMixinOptions(factory: string, options: TraceMixinOptions): void {
  checkOptions(factory, options, mixinOptionChecks);
  const format: TraceLogFormat = options.format ?? 'otel';
  for (const [other, checks] of Object.entries(formatChecks)) {
    if (other === format) continue;
    for (const key of Object.keys(checks)) {
      if ((options as Record<string, unknown>)[key] !== undefined) {
        throw new TypeError(`${factory}: option "${key}" applies only to format "${other}", got format "${format}"`);
      }
    }
  }
}
