import { diag, trace, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import type { DocumentNode } from 'graphql';
import type { PluginConfig } from './config.js';
import { documentAttribute, findOperation } from './document.js';
import { operationParent } from './inbound.js';
import { createOperationState, type OperationState } from './operation-state.js';

/** Semantic conventions: the span name when the operation type is unknown. */
const UNKNOWN_OPERATION = 'GraphQL Operation';
/** Enough to triage; a result with hundreds of errors must not make a huge span. */
const MAX_RECORDED_ERRORS = 10;

/**
 * Starts an operation: parent from the request, then `enrich`, then the span
 * (so span processors see the enriched baggage). The operation is not known
 * yet (envelop's instrumentation sees no arguments): {@link describeOperation}
 * names the span once `onExecute`/`onSubscribe` has them. Never throws.
 */
export function beginOperation(graphqlContext: unknown, config: PluginConfig, active: Context): OperationState {
  let parentContext = active;
  try {
    const parent = operationParent(graphqlContext, config);
    parentContext = enrich(parent.context, graphqlContext, config);
    const span = config.operationSpan
      ? config.tracer.startSpan(UNKNOWN_OPERATION, { kind: parent.kind, links: parent.links }, parentContext)
      : undefined;
    return createOperationState(config, span ? trace.setSpan(parentContext, span) : parentContext, span);
  } catch (error) {
    diag.error('tracehop: could not start the GraphQL operation context; running without it', error);
    return createOperationState(config, parentContext, undefined);
  }
}

function enrich(context: Context, graphqlContext: unknown, config: PluginConfig): Context {
  if (!config.enrich) return context;
  try {
    const enriched = config.enrich(context, graphqlContext);
    // Enrichers written in JavaScript may forget to return: keep the extracted context then.
    if (typeof (enriched as Partial<Context> | undefined)?.getValue === 'function') return enriched;
    diag.warn('tracehop: enrich did not return a Context; continuing with the extracted one');
  } catch (error) {
    diag.error('tracehop: enrich threw; continuing with the un-enriched context', error);
  }
  return context;
}

interface OperationArgs {
  document?: DocumentNode;
  operationName?: string | null;
}

/** Names the span and sets the operation attributes, from execute/subscribe args. */
export function describeOperation(state: OperationState, args: OperationArgs): void {
  const span = state.span;
  if (!span) return;
  try {
    const operation = findOperation(args.document, args.operationName);
    if (!operation) return;
    const name = operation.name?.value;
    span.setAttribute('graphql.operation.type', operation.operation);
    if (name) span.setAttribute('graphql.operation.name', name);
    span.updateName(state.config.spanName === 'type-name' && name ? `${operation.operation} ${name}` : operation.operation);
    const document = documentAttribute(args.document, state.config);
    if (document !== undefined) span.setAttribute('graphql.document', document);
  } catch (error) {
    diag.debug('tracehop: could not describe the GraphQL operation', error);
  }
}

interface ResultLike {
  errors?: readonly unknown[];
}

/** `result.errors` (one payload of a stream, or the whole result) → exceptions + ERROR. */
export function recordResultErrors(span: Span | undefined, result: unknown): void {
  const errors = (result as ResultLike | null | undefined)?.errors;
  if (!span || !Array.isArray(errors) || errors.length === 0) return;
  for (const error of errors.slice(0, MAX_RECORDED_ERRORS)) span.recordException(asException(error));
  // The status describes the first error; the events hold the rest.
  span.setStatus({ code: SpanStatusCode.ERROR, message: asException(errors[0]).message });
}

/** Ends the operation exactly once; `error` is what the execution threw, if it did. */
export function endOperation(state: OperationState, failed: boolean, error?: unknown): void {
  if (state.ended) return;
  state.ended = true;
  if (!state.span) return;
  if (failed) recordError(state.span, error);
  state.span.end();
}

export function recordError(span: Span, error: unknown): void {
  const exception = asException(error);
  span.recordException(exception);
  span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
}

function asException(error: unknown): Error | { message: string } {
  return error instanceof Error ? error : { message: String((error as { message?: unknown } | null)?.message ?? error) };
}
