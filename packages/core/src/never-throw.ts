import { diag } from '@opentelemetry/api';

/**
 * Runs `fn` and returns its result, or `fallback` when it throws: the one way
 * tracehop keeps a failure out of the application (invariant 2).
 *
 * One rule for the `diag` level: always `warn`. tracehop's own parsing never
 * throws on bad input (a malformed header gets a documented outcome without
 * an exception), so whatever throws here is code someone configured: a
 * propagator, a trust predicate, a header getter, an enricher. That deserves
 * a warning, and never a failed request.
 *
 * @param outcome what threw and what happens instead, e.g.
 *   `'the trust predicate threw; the caller is treated as untrusted'`.
 */
export function neverThrow<T>(fn: () => T, fallback: T, outcome: string): T {
  try {
    return fn();
  } catch (error) {
    diag.warn(`tracehop: ${outcome} (${describe(error)})`);
    return fallback;
  }
}

function describe(error: unknown): string {
  // The message only, capped: it may quote a header value a caller chose.
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}
