/** The subset of a promise this module needs; envelop may hand back any thenable. */
function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Runs `run`, then `settled` once it finished, synchronously or not, and
 * passes the outcome through unchanged. Keeps sync paths sync: envelop's
 * instrumentation may return a value or a promise.
 */
export function whenSettled<T>(
  run: () => T | PromiseLike<T>,
  settled: (failed: boolean, error?: unknown) => void,
): T | Promise<T> {
  let result: T | PromiseLike<T>;
  try {
    result = run();
  } catch (error) {
    settled(true, error);
    throw error;
  }
  if (!isThenable(result)) {
    settled(false);
    return result;
  }
  return Promise.resolve(result).then(
    (value) => {
      settled(false);
      return value;
    },
    (error: unknown) => {
      settled(true, error);
      throw error;
    },
  );
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}
