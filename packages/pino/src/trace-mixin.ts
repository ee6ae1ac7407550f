import { neverThrow } from '@tracehop/core';
import { activeSpanContext } from './active-span.js';
import { createBaggageFieldWriter } from './baggage-fields.js';
import { checkMixinOptions } from './mixin-options.js';
import { createTraceFieldWriter } from './trace-fields.js';
import type { PinoMixin, TraceMixinOptions } from './types.js';

/**
 * A pino `mixin` that writes the active span's trace fields into every line:
 * `pino({ mixin: traceMixin({ format: 'gcp' }) })`.
 *
 * No module is patched, so it works the same in ESM, CommonJS and bundles, and
 * with no SDK at all (a remote span context in the active context is enough).
 * Outside a valid span no trace field is written (allow-listed baggage fields
 * still are). pino calls a mixin only for enabled levels, so a disabled
 * `debug` costs nothing here.
 *
 * Keep trace fields out of child-logger bindings: pino serializes bindings
 * apart from the mixin, and the line would carry the key twice.
 */
export function traceMixin(options: TraceMixinOptions = {}): PinoMixin {
  checkMixinOptions('traceMixin', options);
  return compileMixin(options);
}

/** {@link traceMixin} with options already checked (`gcpLoggerOptions` checks its own). */
export function compileMixin(options: TraceMixinOptions): PinoMixin {
  const traceFields = createTraceFieldWriter(options);
  const writeBaggageFields = createBaggageFieldWriter(options);
  const userMixin = options.mixin;

  // The common case, trace fields only: one fresh object literal per line.
  // Fresh every call: pino merges call-site fields into what a mixin returns.
  if (!writeBaggageFields && !userMixin) {
    return function tracehopMixin() {
      const spanContext = activeSpanContext();
      return spanContext ? traceFields(spanContext) : {};
    };
  }

  return function tracehopMixin(mergeObject, level, logger) {
    const fields: Record<string, unknown> = {};
    writeBaggageFields?.(fields);
    const spanContext = activeSpanContext();
    // Trace fields after baggage: a baggage key can never overwrite them.
    if (spanContext) Object.assign(fields, traceFields(spanContext));
    return userMixin ? Object.assign(fields, neverThrow(userMixin as UserFields, undefined, MIXIN_THREW, mergeObject, level, logger)) : fields;
  };
}

/** Your mixin as it is called: the line is written without its fields when it throws. */
type UserFields = (mergeObject: object, level: number, logger: unknown) => object | undefined;
const MIXIN_THREW = "your pino mixin threw; the line is written with tracehop's fields only";
