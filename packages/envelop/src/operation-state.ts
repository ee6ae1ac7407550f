import { context as otelContext, createContextKey, type Context, type Span } from '@opentelemetry/api';
import type { PluginConfig } from './config.js';

/**
 * What one operation carries from the instrumentation wrapper to the hooks
 * and resolvers inside it. It lives in the OpenTelemetry context, not on the
 * GraphQL context: one GraphQL context can be shared by several operations
 * (graphql-ws connections, Yoga batched requests).
 */
export interface OperationState {
  readonly config: PluginConfig;
  /** The context the operation runs in: enriched, with its span when there is one. */
  readonly context: Context;
  readonly span: Span | undefined;
  /** The result is a stream: its end, not the wrapper's, ends the span. */
  streaming: boolean;
  ended: boolean;
  /**
   * Resolver span contexts by graphql `info.path` object, so nested resolver
   * spans nest. Created with the first resolver span: a WeakMap per operation
   * costs the garbage collector even when it stays empty.
   */
  resolverContexts: WeakMap<object, Context> | undefined;
}

const OPERATION_KEY = createContextKey('tracehop.envelop.operation');

/** The operation the caller runs in, if it is one of ours. */
export function currentOperation(active: Context = otelContext.active()): OperationState | undefined {
  return active.getValue(OPERATION_KEY) as OperationState | undefined;
}

export function createOperationState(config: PluginConfig, base: Context, span: Span | undefined): OperationState {
  const partial = {
    config,
    span,
    streaming: false,
    ended: false,
    resolverContexts: undefined,
  };
  const state = partial as OperationState;
  // The state must be reachable from its own context; assign once, then treat as readonly.
  (partial as { context?: Context }).context = base.setValue(OPERATION_KEY, state);
  return state;
}
