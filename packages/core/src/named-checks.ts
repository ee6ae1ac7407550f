import { isPlainObject, type OptionCheck, type OptionSchema } from './option-checks.js';

// The named checks every factory composes its schema from: each says, in
// words, what it expects, for the message `checkOptions` throws.

export const isBoolean: OptionCheck = { expects: 'a boolean', test: (value) => typeof value === 'boolean' };

export function isString(expects = 'a string'): OptionCheck {
  return { expects, test: (value) => typeof value === 'string' };
}

export function isNonEmptyString(expects = 'a non-empty string'): OptionCheck {
  return { expects, test: (value) => typeof value === 'string' && value.length > 0 };
}

export function isFunction(signature: string): OptionCheck {
  return { expects: `a function ${signature}`, test: (value) => typeof value === 'function' };
}

export function isOneOf(...values: readonly string[]): OptionCheck {
  return { expects: `one of ${values.map((value) => JSON.stringify(value)).join(', ')}`, test: (value) => values.includes(value as string) };
}

export const isNonNegativeInteger: OptionCheck = {
  expects: 'a non-negative integer',
  test: (value) => typeof value === 'number' && Number.isInteger(value) && value >= 0,
};

export const isRatio: OptionCheck = {
  expects: 'a number from 0 to 1',
  test: (value) => typeof value === 'number' && value >= 0 && value <= 1,
};

export function isStringArray(expects = 'an array of strings'): OptionCheck {
  return { expects, test: (value) => Array.isArray(value) && value.every((item) => typeof item === 'string') };
}

export function isStringRecord(expects = 'an object of string values'): OptionCheck {
  return { expects, test: (value) => isPlainObject(value) && Object.values(value).every((item) => typeof item === 'string') };
}

/** An object with these methods: a `TracerProvider`, a `TextMapPropagator`, grpc-js's module. */
export function hasMethods(expects: string, ...methods: readonly string[]): OptionCheck {
  return {
    expects,
    test: (value) =>
      (typeof value === 'object' || typeof value === 'function') &&
      value !== null &&
      methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function'),
  };
}

/** An options object of its own, whose keys are checked against `shape` (unknown ones throw). */
export function isOptions(expects: string, shape: OptionSchema): OptionCheck {
  return { expects, test: isPlainObject, shape };
}

/** Any one of `checks`: `a boolean, an array of baggage keys or a function (key, request) => boolean`. */
export function anyOf(...checks: readonly OptionCheck[]): OptionCheck {
  const words = checks.map((check) => check.expects);
  const expects = words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)!}` : (words[0] ?? '');
  return { expects, test: (value) => checks.some((check) => check.test(value)) };
}

export const isTracerProvider = hasMethods('a TracerProvider (with getTracer)', 'getTracer');
export const isPropagator = hasMethods('a TextMapPropagator (with inject, extract and fields)', 'inject', 'extract', 'fields');

/** `tracerProvider` and `propagator`: what every hop that records spans and carries headers takes. */
export const instrumentationChecks: OptionSchema = { tracerProvider: isTracerProvider, propagator: isPropagator };
