import { propagation, type Attributes, type TextMapPropagator } from '@opentelemetry/api';
import type { Metadata } from '@grpc/grpc-js';
import { neverThrow } from '@tracehop/core';
import type { OptionCheck, SemconvStability } from '@tracehop/core/internal';

// `metadataAttributes`: an allow-list of request metadata keys recorded on the
// span. The semantic conventions ask instrumentations to capture only what is
// configured ("including all request metadata values can be a security
// risk"); this goes further and refuses, when the interceptor is created,
// keys that carry credentials or trace context even if they are listed.

/** Attribute name prefixes by semconv mode: the gRPC name before the RPC migration, and the current one. */
const OLD_PREFIX = 'rpc.grpc.request.metadata.'; // semconv ≤ 1.38, what the Java agent and instrumentation-grpc emit
const STABLE_PREFIX = 'rpc.request.header.'; // semconv 1.45 (ATTR_RPC_REQUEST_HEADER)

const MAX_KEYS = 32;
const MAX_VALUES = 8;
const MAX_VALUE_LENGTH = 256;

/** A metadata key grpc-js can carry (it lowercases them): letters, digits, `-`, `_`, `.`. */
const KEY_PATTERN = /^[0-9a-z_.-]+$/i;

/** Never recorded, whatever the list says. */
const DENIED_KEYS = new Set([
  'authorization',
  'proxy-authorization',
  'x-serverless-authorization', // Cloud Run's second ID-token header
  'cookie',
  'set-cookie',
  'traceparent',
  'tracestate',
  'baggage',
  'sentry-trace',
  'x-cloud-trace-context',
  'grpc-trace-bin',
  'b3',
]);

/** Key words that name a credential: `x-auth-token`, `x-api-key`, `x-goog-iap-jwt-assertion`, `session-id`. */
const DENIED_WORDS = /auth|cookie|token|secret|passw|credential|session|api-?key|jwt/;

function isDenied(key: string): boolean {
  const lower = key.toLowerCase();
  return DENIED_KEYS.has(lower) || lower.startsWith('x-b3-') || lower.startsWith('x-datadog-') || DENIED_WORDS.test(lower);
}

export const isMetadataAttributes: OptionCheck = {
  expects: `an array of at most ${MAX_KEYS} metadata keys (letters, digits, "-", "_", "."), none a credential, cookie or trace-propagation header`,
  test: (value) =>
    Array.isArray(value) &&
    value.length <= MAX_KEYS &&
    value.every((key) => typeof key === 'string' && KEY_PATTERN.test(key) && !isDenied(key)),
};

/**
 * The keys the propagators in play read or write (a `propagator` option, the
 * global one): beyond the fixed list, a B3 or Datadog propagator's headers
 * are trace context too. A key listed here throws like the others.
 */
export function propagatorFieldsListed(keys: readonly string[], propagator: TextMapPropagator | undefined): string | undefined {
  const fields = new Set<string>();
  for (const source of [propagator, propagation]) {
    for (const field of neverThrow(fieldsOf, [], FIELDS_THREW, source)) fields.add(field.toLowerCase());
  }
  return keys.find((key) => fields.has(key.toLowerCase()));
}

const FIELDS_THREW = "the propagator's fields() threw; metadataAttributes is checked against the fixed list only";

function fieldsOf(source: Pick<TextMapPropagator, 'fields'> | undefined): string[] {
  return source ? source.fields() : [];
}

/**
 * Compiles the (checked) keys into a function from request metadata to span
 * attributes, or `undefined` when no key is listed: the attribute names are
 * built here, once, not per call.
 */
export function compileMetadataAttributes(
  keys: readonly string[] | undefined,
  semconv: SemconvStability,
): ((metadata: Metadata) => Attributes) | undefined {
  if (!keys || keys.length === 0) return undefined;
  const recorded = [...new Set(keys.map((key) => key.toLowerCase()))].map((key) => ({
    key,
    names: [...(semconv.old ? [OLD_PREFIX + key] : []), ...(semconv.stable ? [STABLE_PREFIX + key] : [])],
  }));
  return (metadata) => {
    const attributes: Attributes = {};
    for (const { key, names } of recorded) {
      const values = metadata.get(key);
      if (values.length === 0) continue;
      const strings = values.slice(0, MAX_VALUES).map(asText);
      for (const name of names) attributes[name] = strings;
    }
    return attributes;
  };
}

/** Text values as they are, `-bin` ones base64 (the conventions' rule for binary metadata), both capped. */
function asText(value: string | Buffer): string {
  const text = typeof value === 'string' ? value : value.toString('base64');
  return text.length > MAX_VALUE_LENGTH ? text.slice(0, MAX_VALUE_LENGTH) : text;
}
