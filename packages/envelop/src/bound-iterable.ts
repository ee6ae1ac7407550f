import { context as otelContext, type Context } from '@opentelemetry/api';
import { neverThrow } from '@tracehop/core';

/** Callbacks for a stream's life; neither may throw into the stream. */
export interface StreamObserver<T> {
  onValue(value: T): void;
  /** Called once: on completion, `return()`, or an error. */
  onEnd(failed: boolean, error?: unknown): void;
}

type Step = 'next' | 'return' | 'throw';

/**
 * Re-enters `context` on every step of a stream. The consumer (Yoga's SSE
 * writer, graphql-ws) pulls values from outside any operation context, and
 * both the subscription's source generator and the per-event execution run
 * inside `next()`: without this they would see no trace at all.
 */
export function bindAsyncIterable<T>(
  source: AsyncIterable<T>,
  context: Context,
  observer: StreamObserver<T>,
): AsyncIterableIterator<T> {
  let iterator: AsyncIterator<T> | undefined;
  let ended = false;

  const end = (failed: boolean, error?: unknown): void => {
    if (ended) return;
    ended = true;
    guard(() => observer.onEnd(failed, error));
  };

  const step = (kind: Step, argument?: unknown): Promise<IteratorResult<T>> =>
    otelContext.with(context, () => {
      let pending: Promise<IteratorResult<T>>;
      try {
        iterator ??= source[Symbol.asyncIterator]();
        const method = iterator[kind];
        if (method) pending = Promise.resolve(method.call(iterator, argument));
        else if (kind === 'throw') pending = Promise.reject(argument);
        else pending = Promise.resolve({ done: true, value: argument as T });
      } catch (error) {
        pending = Promise.reject(error);
      }
      return pending.then(
        (result) => {
          if (result.done) end(false);
          else guard(() => observer.onValue(result.value));
          return result;
        },
        (error: unknown) => {
          end(true, error);
          throw error;
        },
      );
    });

  return {
    next: (value?: unknown) => step('next', value),
    return: (value?: unknown) => step('return', value),
    throw: (error?: unknown) => step('throw', error),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function guard(callback: () => void): void {
  neverThrow(callback, undefined, 'recording a stream payload threw; the stream goes on');
}
