import { diag } from '@opentelemetry/api';

/**
 * Runs `fn(a, b, c, d)` and returns its result, or `fallback` when it throws:
 * the one way tracehop keeps a failure out of the application (invariant 2),
 * around every piece of code it did not write that runs on a request: a
 * propagator, a trust predicate, a header getter or setter, an enricher, a
 * tracer, your pino mixin. {@link neverReject} is its twin for promises.
 *
 * One rule for the `diag` level: always `warn`. tracehop's own parsing never
 * throws on bad input (a malformed header gets a documented outcome without
 * an exception), so whatever throws here is code someone configured. That
 * deserves a warning, and never a failed request.
 *
 * Pass the arguments rather than a closure over them on a hot path:
 * `neverThrow(startSpan, undefined, outcome, tracer, name, options, parent)`
 * creates no closure per call; `neverThrow(() => …)` creates one each time.
 *
 * @param outcome what threw and what happens instead, e.g.
 *   `'the trust predicate threw; the caller is treated as untrusted'`.
 */
export function neverThrow<T>(fn: () => T, fallback: T, outcome: string): T;
export function neverThrow<T, A>(fn: (a: A) => T, fallback: T, outcome: string, a: A): T;
export function neverThrow<T, A, B>(fn: (a: A, b: B) => T, fallback: T, outcome: string, a: A, b: B): T;
export function neverThrow<T, A, B, C>(fn: (a: A, b: B, c: C) => T, fallback: T, outcome: string, a: A, b: B, c: C): T;
export function neverThrow<T, A, B, C, D>(fn: (a: A, b: B, c: C, d: D) => T, fallback: T, outcome: string, a: A, b: B, c: C, d: D): T;
export function neverThrow<T>(
  fn: (a: unknown, b: unknown, c: unknown, d: unknown) => T,
  fallback: T,
  outcome: string,
  a?: unknown,
  b?: unknown,
  c?: unknown,
  d?: unknown,
): T {
  try {
    // Exactly the arguments given: user code may count them (pino passes a
    // mixin three, and a test of yours may check that).
    switch (arguments.length) {
      case 3:
        return (fn as () => T)();
      case 4:
        return (fn as (a: unknown) => T)(a);
      case 5:
        return (fn as (a: unknown, b: unknown) => T)(a, b);
      case 6:
        return (fn as (a: unknown, b: unknown, c: unknown) => T)(a, b, c);
      default:
        return fn(a, b, c, d);
    }
  } catch (error) {
    warnContained(outcome, error);
    return fallback;
  }
}

/**
 * {@link neverThrow} for code that returns a promise: resolves with what
 * `fn` resolves to, or with `fallback` when it throws or rejects, under the
 * same rule (`diag.warn` with the outcome). Never rejects.
 */
export async function neverReject<T>(fn: () => T | PromiseLike<T>, fallback: T, outcome: string): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    warnContained(outcome, error);
    return fallback;
  }
}

function warnContained(outcome: string, error: unknown): void {
  diag.warn(`tracehop: ${outcome} (${describeError(error)})`);
}

/** The message only, capped: it may quote a header value a caller chose. Never throws itself. */
function describeError(error: unknown): string {
  try {
    const message = String(error instanceof Error ? error.message : error);
    return message.length > 200 ? `${message.slice(0, 200)}…` : message;
  } catch {
    return 'an error that cannot be printed';
  }
}
