import { context as otelContext, diag } from '@opentelemetry/api';
import type { Plugin } from '@envelop/core';
import { bindAsyncIterable } from './bound-iterable.js';
import { resolveConfig, type PluginConfig } from './config.js';
import { operationParent } from './inbound.js';
import { isAsyncIterable, whenSettled } from './maybe-promise.js';
import { beginOperation, describeOperation, endOperation, recordResultErrors } from './operation-span.js';
import { currentOperation, type OperationState } from './operation-state.js';
import { instrumentResolvers } from './resolver-spans.js';
import type { TraceContextOptions } from './types.js';

/**
 * Continues the caller's W3C trace through a GraphQL operation: extracts it
 * from the HTTP request through the trust policy, keeps it active for every
 * resolver and subscription event, and records the operation span.
 *
 * Put it first in the plugin list: its instrumentation is then the outermost,
 * and other plugins' spans (`@envelop/opentelemetry`) nest under its context.
 */
export function useTraceContext(options: TraceContextOptions = {}): Plugin {
  const config = resolveConfig(options);

  // Parse, validate and context building (where authentication may call a
  // backend) run in the request's trace too; they are synchronous wrappers.
  const inRequestContext = (payload: { context: unknown }, wrapped: () => void): void => {
    otelContext.with(safeParentContext(payload.context, config), wrapped);
  };

  const runOperation = (payload: { context: unknown }, wrapped: () => void | Promise<void>): void | Promise<void> => {
    const state = beginOperation(payload.context, config, otelContext.active());
    return whenSettled(
      () => otelContext.with(state.context, wrapped),
      (failed, error) => {
        // A stream (subscription, @defer) ends when it is drained, not here.
        if (failed || !state.streaming) endOperation(state, failed, error);
      },
    );
  };

  return {
    onSchemaChange: config.resolverSpans ? ({ schema }) => instrumentResolvers(schema) : undefined,
    instrumentation: {
      parse: inRequestContext,
      validate: inRequestContext,
      context: inRequestContext,
      execute: runOperation,
      subscribe: runOperation,
    },
    onExecute({ args }) {
      const state = ownOperation(config);
      if (!state) return;
      describeOperation(state, args);
      return {
        onExecuteDone({ result, setResult }) {
          setResult(observeResult(state, result) as typeof result);
        },
      };
    },
    onSubscribe({ args }) {
      const state = ownOperation(config);
      if (!state) return;
      describeOperation(state, args);
      return {
        onSubscribeResult({ result, setResult }) {
          setResult(observeResult(state, result) as typeof result);
        },
      };
    },
  };
}

/** Hooks run inside our wrapper, so the active context holds this operation. */
function ownOperation(config: PluginConfig): OperationState | undefined {
  const state = currentOperation();
  return state?.config === config ? state : undefined;
}

/**
 * A single result: record its errors. A stream: re-enter the operation's
 * context on every pull, record each payload's errors, end the span at its end.
 */
function observeResult(state: OperationState, result: unknown): unknown {
  if (!isAsyncIterable(result)) {
    recordResultErrors(state.span, result);
    return result;
  }
  state.streaming = true;
  return bindAsyncIterable(result, state.context, {
    onValue: (value) => recordResultErrors(state.span, value),
    onEnd: (failed, error) => endOperation(state, failed, error),
  });
}

function safeParentContext(graphqlContext: unknown, config: PluginConfig) {
  try {
    return operationParent(graphqlContext, config).context;
  } catch (error) {
    diag.debug('tracehop: could not read the inbound trace context', error);
    return otelContext.active();
  }
}
