import { neverThrow } from '@tracehop/core';
import { isBoolean, isFunction, isOptions, isStringArray, type OptionCheck } from '@tracehop/core/internal';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import { findOperation } from './document.js';
import type { IgnoredOperationCandidate, IgnoreOperations } from './types.js';

// `ignoreOperations`: operations that record no span, decided before the
// operation span would start. envelop's `execute` instrumentation, where the
// span starts, sees no arguments, so the document is the one the plugin saw
// parsed for the same GraphQL context, and the operation name the one Yoga
// put in `context.params`.

export const isIgnoreOperations: OptionCheck = isOptions('an object { introspection?, names?, match? }', {
  introspection: isBoolean,
  names: isStringArray('an array of operation names'),
  match: isFunction('(operation) => boolean'),
});

/** Root fields every schema answers itself (graphql spec, "Schema Introspection"). */
const META_FIELDS = new Set(['__schema', '__type', '__typename']);

export type IgnoreRule = (candidate: IgnoredOperationCandidate & { readonly definition: OperationDefinitionNode }) => boolean;

/** The (checked) option as one rule, or `undefined` when it leaves nothing out. */
export function compileIgnoreOperations(option: IgnoreOperations | undefined): IgnoreRule | undefined {
  if (!option) return undefined;
  const introspection = option.introspection === true;
  const names = option.names && option.names.length > 0 ? new Set(option.names) : undefined;
  const match = option.match;
  if (!introspection && !names && !match) return undefined;
  return (candidate) =>
    (introspection && isIntrospection(candidate.definition)) ||
    (names !== undefined && candidate.name !== undefined && names.has(candidate.name)) ||
    (match !== undefined && neverThrow(askMatch, false, MATCH_THREW, match, candidate) === true);
}

const MATCH_THREW = 'the ignoreOperations match threw; the operation records spans';

/** The user sees the candidate without our `definition` (not part of the public shape). */
function askMatch(match: NonNullable<IgnoreOperations['match']>, candidate: IgnoredOperationCandidate): boolean {
  return match({ name: candidate.name, type: candidate.type, document: candidate.document, graphqlContext: candidate.graphqlContext });
}

/** A query whose every root selection is a meta field: no fragment, no field of the schema's own. */
function isIntrospection(definition: OperationDefinitionNode): boolean {
  const selections = definition.selectionSet.selections;
  return (
    definition.operation === 'query' &&
    selections.length > 0 &&
    selections.every((selection) => selection.kind === 'Field' && META_FIELDS.has(selection.name.value))
  );
}

interface YogaParams {
  params?: { operationName?: unknown };
}

/**
 * Whether the operation about to run is left out. An operation it cannot
 * single out (no document seen, or several operations and no name) is
 * recorded: leaving out too little is safe, too much is not.
 */
export function isIgnored(rule: IgnoreRule, document: DocumentNode | undefined, graphqlContext: unknown): boolean {
  if (!document) return false;
  const named = (graphqlContext as YogaParams | null | undefined)?.params?.operationName;
  const definition = findOperation(document, typeof named === 'string' ? named : undefined);
  if (!definition) return false;
  return rule({ name: definition.name?.value, type: definition.operation, document, graphqlContext, definition });
}
