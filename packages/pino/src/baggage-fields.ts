import { context, propagation } from '@opentelemetry/api';
import type { CommonMixinOptions } from './types.js';

/** Copies allow-listed baggage entries of the active context into a log line's fields. */
export type BaggageFieldWriter = (fields: Record<string, unknown>) => void;

const DEFAULT_MAX_VALUE_LENGTH = 128;

/**
 * Resolves `baggageKeys` once. Returns `undefined` when no key is listed, so
 * the mixin skips the baggage lookup entirely.
 */
export function createBaggageFieldWriter(options: CommonMixinOptions): BaggageFieldWriter | undefined {
  const fieldByKey = toFieldMap(options.baggageKeys);
  if (fieldByKey.length === 0) return undefined;
  const maxLength = options.maxBaggageValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  return (fields) => {
    const baggage = propagation.getBaggage(context.active());
    if (!baggage) return;
    // Look up only the listed keys: the rest of the baggage never reaches a line.
    for (const [key, field] of fieldByKey) {
      const value = baggage.getEntry(key)?.value;
      if (typeof value === 'string' && value.length > 0 && value.length <= maxLength) fields[field] = value;
    }
  };
}

function toFieldMap(baggageKeys: CommonMixinOptions['baggageKeys']): Array<[key: string, field: string]> {
  if (!baggageKeys) return [];
  if (isStringArray(baggageKeys)) return baggageKeys.map((key) => [key, key]);
  return Object.entries(baggageKeys);
}

function isStringArray(value: readonly string[] | Readonly<Record<string, string>>): value is readonly string[] {
  return Array.isArray(value);
}
