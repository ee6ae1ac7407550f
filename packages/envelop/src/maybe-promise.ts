/** Envelop types its results as promises but may hand back any thenable (a "fake promise"). */
function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Runs `run`, then `settled` once it finished, synchronously or not, and
 * passes the outcome through unchanged. Keeps sync paths sync: envelop's
 * instrumentation may return a value or a promise.
 */
export function whenSettled<T>(
  run: () => T | Promise<T>,
  settled: (failed: boolean, error?: unknown) => void,
): T | Promise<T> {
  let result: T | Promise<T>;
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
  // The thenable's own `then`, not `Promise.resolve(result).then`: envelop and
  // Yoga hand back "fake promises" that settle synchronously, and wrapping one
  // in a real promise costs a promise, a microtask and their async hooks per
  // operation.
  try {
    return result.then(
      (value) => {
        settled(false);
        return value;
      },
      (error: unknown) => {
        settled(true, error);
        throw error;
      },
    );
  } catch (error) {
    // A thenable whose own `then` throws: the operation failed, and ends here.
    settled(true, error);
    throw error;
  }
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}
