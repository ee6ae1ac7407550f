import { context as otelContext, trace, type Context, type Span } from '@opentelemetry/api';
import { GRAPHQL_OPERATION_KEY } from '@tracehop/core/internal';
import { bindAsyncIterable } from './bound-iterable.js';
import type { PluginConfig } from './config.js';
import { isAsyncIterable } from './maybe-promise.js';
import { recordError, recordResultErrors } from './operation-span.js';

/**
 * One GraphQL operation (an execute or a subscribe) of one plugin instance:
 * the context it runs in, its span, and when that span ends.
 *
 * It lives in the OpenTelemetry context, not on the GraphQL context: one
 * GraphQL context can be shared by several operations (graphql-ws
 * connections, Yoga batched requests), and resolvers find theirs through the
 * active context.
 *
 * The span ends once the operation is over, in whatever order envelop reports
 * the two facts that say so: the instrumentation wrapper has settled, and the
 * result, if one was announced, has arrived as a single result or as a stream
 * that has ended. A failure ends it at once. It ends exactly once.
 */
export class Operation {
  /** The context the operation runs in: enriched, with its span, and this operation. */
  readonly context: Context;
  /**
   * Resolver span contexts by graphql `info.path` object, so nested resolver
   * spans nest. Created with the first resolver span: a WeakMap per operation
   * costs the garbage collector even when it stays empty.
   */
  resolverContexts: WeakMap<object, Context> | undefined;
  private settled = false;
  private resultPending = false;
  private streamOpen = false;
  private ended = false;

  constructor(
    readonly config: PluginConfig,
    base: Context,
    readonly span: Span | undefined,
  ) {
    this.context = (span ? trace.setSpan(base, span) : base).setValue(GRAPHQL_OPERATION_KEY, this);
  }

  /** The operation of `config`'s plugin that the active context runs in, if any. */
  static current(config?: PluginConfig, active: Context = otelContext.active()): Operation | undefined {
    const operation = active.getValue(GRAPHQL_OPERATION_KEY) as Operation | undefined;
    return config === undefined || operation?.config === config ? operation : undefined;
  }

  /** `onExecute`/`onSubscribe` ran: a result will be reported before the operation is over. */
  expectResult(): void {
    this.resultPending = true;
  }

  /**
   * The operation's result. A single result: its errors are recorded. A
   * stream (subscription, `@defer`): re-enters this context on every pull,
   * records each payload's errors, and the operation is over when it ends.
   */
  observeResult(result: unknown): unknown {
    this.resultPending = false;
    if (!isAsyncIterable(result)) {
      recordResultErrors(this.span, result);
      this.endIfOver();
      return result;
    }
    this.streamOpen = true;
    return bindAsyncIterable(result, this.context, {
      onValue: (value) => recordResultErrors(this.span, value),
      onEnd: (failed, error) => {
        this.streamOpen = false;
        if (failed) this.end(true, error);
        else this.endIfOver();
      },
    });
  }

  /** The instrumentation wrapper finished; `failed` when the execution threw. */
  settle(failed: boolean, error?: unknown): void {
    this.settled = true;
    if (failed) this.end(true, error);
    else this.endIfOver();
  }

  private endIfOver(): void {
    if (this.settled && !this.resultPending && !this.streamOpen) this.end(false);
  }

  private end(failed: boolean, error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.span) return;
    if (failed) recordError(this.span, error);
    this.span.end();
  }
}
