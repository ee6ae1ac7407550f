import { context as otelContext } from '@opentelemetry/api';
import type { Plugin } from '@envelop/core';
import { compilePluginConfig } from './config.js';
import { whenSettled } from './maybe-promise.js';
import { Operation } from './operation.js';
import { describeOperation, type OperationArgs } from './operation-span.js';
import { beginOperation } from './operation-start.js';
import { RequestParents } from './request-parent.js';
import { instrumentResolvers } from './resolver-spans.js';
import type { TraceContextOptions } from './types.js';

/**
 * Continues the caller's W3C trace through a GraphQL operation: reads it
 * from the HTTP request through the trust policy, keeps it active for every
 * resolver and subscription event, and records the operation span.
 *
 * Put it first in the plugin list: its instrumentation is then the outermost,
 * and other plugins' spans (`@envelop/opentelemetry`) nest under its context.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function useTraceContext<GraphQLContext = any>(options: TraceContextOptions<GraphQLContext> = {}): Plugin {
  const config = compilePluginConfig(options as TraceContextOptions);
  const parents = new RequestParents(config);

  // Parse, validate and context building (where authentication may call a
  // backend) run in the request's trace too; they are synchronous wrappers.
  const inRequestContext = (payload: { context: unknown }, wrapped: () => void): void => {
    otelContext.with(parents.of(payload.context).context, wrapped);
  };

  const runOperation = (payload: { context: unknown }, wrapped: () => void | Promise<void>): void | Promise<void> => {
    const operation = beginOperation(payload.context, config, parents);
    return whenSettled(
      () => otelContext.with(operation.context, wrapped),
      (failed, error) => operation.settle(failed, error),
    );
  };

  /** Hooks run inside our wrapper, so the active context holds this plugin's operation, if any. */
  const currentOperation = (args: OperationArgs): Operation | undefined => {
    const operation = Operation.current(config);
    if (!operation) return undefined;
    describeOperation(operation.span, config, args);
    operation.expectResult();
    return operation;
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
      const operation = currentOperation(args);
      return operation && { onExecuteDone: ({ result, setResult }) => setResult(operation.observeResult(result) as typeof result) };
    },
    onSubscribe({ args }) {
      const operation = currentOperation(args);
      return operation && { onSubscribeResult: ({ result, setResult }) => setResult(operation.observeResult(result) as typeof result) };
    },
  };
}
