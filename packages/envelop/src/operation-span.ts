import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { neverThrow } from '@tracehop/core';
import type { DocumentNode } from 'graphql';
import type { PluginConfig } from './config.js';
import { documentAttribute, findOperation } from './document.js';

/** Enough to triage; a result with hundreds of errors must not make a huge span. */
const MAX_RECORDED_ERRORS = 10;

export interface OperationArgs {
  document?: DocumentNode;
  operationName?: string | null;
}

/** Names the span and sets the operation attributes, from execute/subscribe args. Never throws. */
export function describeOperation(span: Span | undefined, config: PluginConfig, args: OperationArgs): void {
  if (span) neverThrow(describe, undefined, DESCRIBE_THREW, span, config, args);
}

const DESCRIBE_THREW = 'describing the GraphQL operation threw; its span keeps the generic name';

function describe(span: Span, config: PluginConfig, args: OperationArgs): void {
  const definition = findOperation(args.document, args.operationName);
  if (!definition) return;
  const clientName = definition.name?.value;
  const name = clientName === undefined ? undefined : config.operationName(clientName);
  span.setAttribute('graphql.operation.type', definition.operation);
  if (name) span.setAttribute('graphql.operation.name', name);
  span.updateName(config.spanName === 'type-name' && name ? `${definition.operation} ${name}` : definition.operation);
  const document = documentAttribute(args.document, config.recordDocument);
  if (document !== undefined) span.setAttribute('graphql.document', document);
}

interface ResultLike {
  errors?: readonly unknown[];
}

/** `result.errors` (one payload of a stream, or the whole result) → exceptions + ERROR; `true` when it recorded any. */
export function recordResultErrors(span: Span | undefined, result: unknown): boolean {
  const errors = (result as ResultLike | null | undefined)?.errors;
  if (!span || !Array.isArray(errors) || errors.length === 0) return false;
  for (const error of errors.slice(0, MAX_RECORDED_ERRORS)) span.recordException(asException(error));
  // The status describes the first error; the events hold the rest.
  span.setStatus({ code: SpanStatusCode.ERROR, message: asException(errors[0]).message });
  return true;
}

export function recordError(span: Span, error: unknown): void {
  const exception = asException(error);
  span.recordException(exception);
  span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
}

function asException(error: unknown): Error | { message: string } {
  return error instanceof Error ? error : { message: String((error as { message?: unknown } | null)?.message ?? error) };
}
