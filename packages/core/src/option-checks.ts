// Every factory validates its options when it is called, with these checks:
// a wrong type or an unknown value throws a TypeError that names the
// factory, the option, what it expects and what it got, e.g.
//   createClientInterceptor: option "target" must be a string like "host:port", got number 50051
// so a mistake fails at start-up, never later on a request.

/** One option's rule: a predicate and the words that say what it expects. */
export interface OptionCheck {
  /** Completes "must be …": `a boolean`, `one of "old", "stable", "dup"`. */
  readonly expects: string;
  readonly test: (value: unknown) => boolean;
  /** For an option that is itself an options object: its own options, checked one by one. */
  readonly shape?: OptionSchema;
}

/** A factory's options: each known key with its check. */
export type OptionSchema = Readonly<Record<string, OptionCheck>>;

/**
 * Checks `options` against `schema`, throwing a `TypeError` for the first
 * option that does not fit. `undefined` always fits (it means the default).
 *
 * An own key the schema does not know throws too, naming the closest known
 * option: a typo such as `trustTracecontext` would otherwise be ignored and
 * leave the default in force. Presets spread into options (`cloudRunEdge()`)
 * carry only known keys. A factory whose options object is shared with
 * another (a hop passing its whole options to `compileOutbound`) reads its own
 * keys with `unknownKeys: 'ignore'`; the hop's factory rejects the rest.
 */
export function checkOptions(
  factory: string,
  options: unknown,
  schema: OptionSchema,
  unknownKeys: 'throw' | 'ignore' = 'throw',
): void {
  if (options === undefined) return;
  if (!isPlainObject(options)) throw new TypeError(`${factory}: options must be an object, got ${describeValue(options)}`);
  checkShape(factory, options, schema, '', unknownKeys);
}

/**
 * Checks one positional argument (`tenantFromAuth(getTenantId)`), with the
 * same message: `tenantFromAuth: argument "getTenantId" must be …, got …`.
 * `undefined` fits only when the argument is optional.
 */
export function checkArgument(factory: string, name: string, value: unknown, check: OptionCheck, optional = false): void {
  if (value === undefined && optional) return;
  if (!check.test(value)) throw new TypeError(`${factory}: argument "${name}" must be ${check.expects}, got ${describeValue(value)}`);
}

/** A required option (`audience`): like {@link checkOptions}' message, `undefined` included. */
export function checkRequiredOption(factory: string, path: string, value: unknown, check: OptionCheck): void {
  if (!check.test(value)) throw new TypeError(`${factory}: option "${path}" must be ${check.expects}, got ${describeValue(value)}`);
}

function checkShape(factory: string, options: object, schema: OptionSchema, prefix: string, unknownKeys: 'throw' | 'ignore'): void {
  for (const [key, value] of Object.entries(options)) {
    const check = Object.hasOwn(schema, key) ? schema[key] : undefined;
    const path = prefix + key;
    if (!check) {
      if (unknownKeys === 'throw') throw new TypeError(`${factory}: unknown option "${path}"${suggestion(key, schema, prefix)}`);
      continue;
    }
    if (value === undefined) continue;
    if (!check.test(value)) throw new TypeError(`${factory}: option "${path}" must be ${check.expects}, got ${describeValue(value)}`);
    if (check.shape && isPlainObject(value)) checkShape(factory, value, check.shape, `${path}.`, 'throw');
  }
}

/** `; did you mean "trust.trustTraceContext"?`, or the known options when none is close. */
function suggestion(key: string, schema: OptionSchema, prefix: string): string {
  const known = knownPaths(schema, prefix);
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const path of known) {
    const distance = editDistance(key.toLowerCase(), path.slice(path.lastIndexOf('.') + 1).toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [path, distance];
  }
  if (best !== undefined) return `; did you mean "${best}"?`;
  const own = Object.keys(schema).map((name) => `"${prefix}${name}"`);
  return own.length === 0 ? '; it takes no options' : `; known options: ${own.join(', ')}`;
}

function knownPaths(schema: OptionSchema, prefix: string): string[] {
  return Object.entries(schema).flatMap(([name, check]) => [
    prefix + name,
    ...(check.shape ? knownPaths(check.shape, `${prefix}${name}.`) : []),
  ]);
}

/** Levenshtein distance: how many single-character edits turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** What a value is, for an error message: `number 50051`, `string "4096"`, `null`. Capped: it may be long. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `string ${cap(JSON.stringify(value))}`;
  if (typeof value === 'function') return value.name ? `function ${value.name}` : 'a function';
  if (typeof value === 'symbol' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  if (typeof value !== 'object') return `${typeof value} ${String(value)}`;
  const kind = Array.isArray(value) ? 'array' : 'object';
  try {
    return `${kind} ${cap(JSON.stringify(value) ?? '')}`;
  } catch {
    return kind; // a cycle, or a getter that throws
  }
}

function cap(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The named checks every factory composes its schema from.

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

export function isNonNegativeNumber(expects = 'a finite number ≥ 0'): OptionCheck {
  return { expects, test: (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0 };
}

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
