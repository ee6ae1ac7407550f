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
 */
export function checkArgument(factory: string, name: string, value: unknown, check: OptionCheck): void {
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

/** A `{ … }` options object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
