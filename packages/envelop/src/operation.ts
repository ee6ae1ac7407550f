import { context as otelContext, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { GRAPHQL_OPERATION_KEY } from '@tracehop/core/internal';
import { bindAsyncIterable } from './bound-iterable.js';
import type { PluginConfig } from './config.js';
import { isAsyncIterable } from './maybe-promise.js';
import { recordError, recordResultErrors } from './operation-span.js';
import type { ResponseListener } from './yoga-http.js';

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
 * that has ended. A failure ends it at once. It ends exactly once. With
 * `httpAttributes` under Yoga a SERVER span also waits for the HTTP response
 * (its status code), failure or not.
 */
export class Operation implements ResponseListener {
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
  private responsePending = false;
  private failed = false;
  /** An error was recorded on the span (a thrown one, or `result.errors`). */
  private errored = false;
  private ended = false;

  constructor(
    readonly config: PluginConfig,
    base: Context,
    readonly span: Span | undefined,
    /** Left out by `ignoreOperations`: no span, and no resolver or phase spans either. */
    readonly ignored = false,
    /** With phase spans: `performance.now()` + this is the wall clock its spans are timed on (phase-spans.ts). */
    readonly timeAnchor?: number,
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
      if (recordResultErrors(this.span, result)) this.errored = true;
      this.endIfOver();
      return result;
    }
    this.streamOpen = true;
    return bindAsyncIterable(result, this.context, {
      onValue: (value) => {
        if (recordResultErrors(this.span, value)) this.errored = true;
      },
      onEnd: (failed, error) => {
        this.streamOpen = false;
        if (failed) this.fail(error);
        this.endIfOver();
      },
    });
  }

  /** The instrumentation wrapper finished; `failed` when the execution threw. */
  settle(failed: boolean, error?: unknown): void {
    this.settled = true;
    if (failed) this.fail(error);
    this.endIfOver();
  }

  /** Yoga's request for this operation is being answered: wait for its status before ending. */
  awaitResponse(): void {
    this.responsePending = true;
  }

  /** `http.response.status_code`; a 5xx is an error (HTTP server semantic conventions). */
  respond(status: number): void {
    if (!this.span || this.ended) return;
    this.span.setAttribute('http.response.status_code', status);
    if (status < 500) return;
    this.span.setAttribute('error.type', String(status));
    // A GraphQL error already recorded says more than the status code does.
    if (!this.errored) this.span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
  }

  /** The request is over (answered or not): the span no longer waits for it. */
  releaseResponse(): void {
    this.responsePending = false;
    this.endIfOver();
  }

  /** A failure ends the operation at once (once no response is awaited), recording the first error. */
  private fail(error: unknown): void {
    if (this.failed || this.ended) return;
    this.failed = true;
    if (!this.span) return;
    recordError(this.span, error);
    this.errored = true;
  }

  private endIfOver(): void {
    if (this.responsePending) return;
    if (this.failed || (this.settled && !this.resultPending && !this.streamOpen)) this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    // With phase spans the span's start was given explicitly; its end is too, on the same clock, so no child outlasts it.
    this.span?.end(this.timeAnchor === undefined ? undefined : performance.now() + this.timeAnchor);
  }
}
