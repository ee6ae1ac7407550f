import { context as otelContext } from '@opentelemetry/api';
import type { Plugin } from '@envelop/core';
import type { DocumentNode } from 'graphql';
import { compilePluginConfig } from './config.js';
import { whenSettled } from './maybe-promise.js';
import { Operation } from './operation.js';
import { describeOperation, type OperationArgs } from './operation-span.js';
import { beginOperation } from './operation-start.js';
import { phaseFn, timePhase } from './phase-spans.js';
import { RequestParents } from './request-parent.js';
import { instrumentResolvers } from './resolver-spans.js';
import type { TraceContextOptions } from './types.js';
import { YogaHttp } from './yoga-http.js';

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
  // Each feature's hooks exist only when it is on: nothing to call otherwise.
  const yoga = config.httpAttributes ? new YogaHttp() : undefined;

  // Parse, validate and context building (where authentication may call a
  // backend) run in the request's trace too; they are synchronous wrappers.
  const inRequestContext = (payload: { context: unknown }, wrapped: () => void): void => {
    otelContext.with(parents.of(payload.context).context, wrapped);
  };

  /** With phase spans, parse and validate are also timed, for spans made when the operation starts. */
  const timed =
    (phase: 'graphql.parse' | 'graphql.validate') =>
    (payload: { context: unknown }, wrapped: () => void): void => {
      const parent = parents.of(payload.context);
      timePhase(parent, phase, parent.context, wrapped);
    };

  const runOperation = (payload: { context: unknown }, wrapped: () => void | Promise<void>): void | Promise<void> => {
    const operation = beginOperation(payload.context, config, parents, yoga);
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

  const plugin: Plugin & Partial<YogaHooks> = {
    onSchemaChange: config.resolverSpans ? ({ schema }) => instrumentResolvers(schema) : undefined,
    instrumentation: {
      parse: config.phaseSpans ? timed('graphql.parse') : inRequestContext,
      validate: config.phaseSpans ? timed('graphql.validate') : inRequestContext,
      context: inRequestContext,
      execute: runOperation,
      subscribe: runOperation,
    },
    // ignoreOperations decides from the document this context parsed.
    onParse: config.ignoreOperation
      ? ({ context }) =>
          ({ result }) => {
            if ((result as { kind?: unknown } | null)?.kind === 'Document') parents.of(context).document = result as DocumentNode;
          }
      : undefined,
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = currentOperation(args);
      if (operation?.span && operation.timeAnchor !== undefined) setExecuteFn(phaseFn('graphql.execute', config.tracer, operation.timeAnchor, executeFn));
      return operation && { onExecuteDone: ({ result, setResult }) => setResult(operation.observeResult(result) as typeof result) };
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const operation = currentOperation(args);
      if (operation?.span && operation.timeAnchor !== undefined) setSubscribeFn(phaseFn('graphql.subscribe', config.tracer, operation.timeAnchor, subscribeFn));
      return operation && { onSubscribeResult: ({ result, setResult }) => setResult(operation.observeResult(result) as typeof result) };
    },
  };
  if (yoga) {
    // Yoga's (and @whatwg-node/server's) hooks; plain envelop ignores them.
    plugin.onYogaInit = yoga.onYogaInit;
    plugin.onResponse = yoga.onResponse;
    (plugin.instrumentation as Record<string, unknown>).request = yoga.instrument;
  }
  return plugin;
}

/** The Yoga plugin hooks `httpAttributes` uses (typed here: Yoga is not a dependency). */
interface YogaHooks {
  onYogaInit: YogaHttp['onYogaInit'];
  onResponse: YogaHttp['onResponse'];
}
