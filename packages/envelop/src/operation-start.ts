import { diag, type Context } from '@opentelemetry/api';
import { neverThrow } from '@tracehop/core';
import { startSpan } from '@tracehop/core/internal';
import type { PluginConfig } from './config.js';
import { Operation } from './operation.js';
import type { RequestParents } from './request-parent.js';

/** Semantic conventions: the span name while the operation type is unknown. */
const UNKNOWN_OPERATION = 'GraphQL Operation';

/**
 * Starts an operation: the request's parent, then `enrich`, then the span
 * (so span processors see the enriched baggage). The operation is not known
 * yet (envelop's instrumentation sees no arguments): `describeOperation`
 * names the span once `onExecute`/`onSubscribe` has them. Never throws.
 */
export function beginOperation(graphqlContext: unknown, config: PluginConfig, parents: RequestParents): Operation {
  const parent = parents.of(graphqlContext);
  const context = enrich(parent.context, graphqlContext, config);
  const span = config.recordSpans ? startSpan(config.tracer, UNKNOWN_OPERATION, { kind: parent.kind, links: parent.links }, context) : undefined;
  return new Operation(config, context, span);
}

const ENRICH_THREW = 'enrich threw; the operation runs in the un-enriched context';

function enrich(context: Context, graphqlContext: unknown, config: PluginConfig): Context {
  const enricher = config.enrich;
  if (!enricher) return context;
  const enriched = neverThrow(enricher, context, ENRICH_THREW, context, graphqlContext);
  // Enrichers written in JavaScript may forget to return: keep the continued context then.
  if (typeof (enriched as Partial<Context> | undefined)?.getValue === 'function') return enriched;
  diag.warn('tracehop: enrich did not return a Context; the operation runs in the un-enriched context');
  return context;
}
