import { createContextKey } from '@opentelemetry/api';

// Every key tracehop keeps in an OpenTelemetry Context, or on an object it
// does not own, in one module (as pino keeps its own in lib/symbols.js): a
// reader finds them all here, and two can never share a name.

/** The trace ID that arrived with W3C Level 2's random flag (see `random-flag.ts`). */
export const RANDOM_TRACE_ID_KEY = createContextKey('tracehop.w3c.random-trace-id');

/** The GraphQL operation a context runs in (`@tracehop/envelop`'s `Operation`). */
export const GRAPHQL_OPERATION_KEY = createContextKey('tracehop.envelop.operation');

/**
 * Marks a GraphQL resolver `@tracehop/envelop` already wrapped. `Symbol.for`,
 * so a second copy of the package (ESM next to CommonJS) recognises it too.
 */
export const TRACED_RESOLVER = Symbol.for('tracehop.envelop.tracedResolver');

/**
 * A new key for one envelop plugin instance's inbound decision, kept on the
 * request's GraphQL context: one per instance, so two plugins with different
 * trust policies never read each other's.
 */
export function requestParentKey(): symbol {
  return Symbol('tracehop.envelop.requestParent');
}
