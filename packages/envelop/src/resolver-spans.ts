import { context as otelContext, trace, type Context, type Span } from '@opentelemetry/api';
import { startSpan, TRACED_RESOLVER as TRACED } from '@tracehop/core/internal';
import type { GraphQLFieldResolver, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import { recordError } from './operation-span.js';
import { Operation } from './operation.js';

// TRACED marks a resolver this package already wrapped, so a field is wrapped
// once for the life of the schema, never per call (the stacking wrapper that
// overflowed the stack in envelop#2852).

type Resolver = GraphQLFieldResolver<unknown, unknown>;
type TracedResolver = Resolver & { [TRACED]?: true };

/**
 * Wraps every explicit resolver of the schema's object types, in place and
 * at most once. The wrapper costs one context lookup when the operation has
 * resolver spans off (or runs outside this plugin).
 */
export function instrumentResolvers(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    // Tag check instead of `isObjectType`: no `instanceof` across graphql copies.
    if (type.name.startsWith('__') || Object.prototype.toString.call(type) !== '[object GraphQLObjectType]') continue;
    for (const field of Object.values((type as GraphQLObjectType).getFields())) {
      const resolve = field.resolve as TracedResolver | undefined;
      if (typeof resolve !== 'function' || resolve[TRACED]) continue;
      field.resolve = tracedResolver(resolve);
    }
  }
}

function tracedResolver(resolve: Resolver): TracedResolver {
  const traced: TracedResolver = function (this: unknown, source, args, graphqlContext, info) {
    const active = otelContext.active();
    const state = Operation.current(undefined, active);
    if (!state?.config.resolverSpans || state.ignored) return resolve.call(this, source, args, graphqlContext, info);

    const parent = parentResolverContext(state, info.path) ?? active;
    const name = `resolve ${info.parentType.name}.${info.fieldName}`;
    const span = startSpan(state.config.tracer, name, { attributes: resolverAttributes(info) }, parent);
    if (!span) return resolve.call(this, source, args, graphqlContext, info);
    const resolverContext = trace.setSpan(parent, span);
    (state.resolverContexts ??= new WeakMap()).set(info.path, resolverContext);

    let result: unknown;
    try {
      result = otelContext.with(resolverContext, resolve, this, source, args, graphqlContext, info);
    } catch (error) {
      endWithError(span, error);
      throw error;
    }
    if (typeof (result as PromiseLike<unknown> | null)?.then !== 'function') return endWithValue(span, result);
    return Promise.resolve(result).then(
      (value) => endWithValue(span, value),
      (error: unknown) => {
        endWithError(span, error);
        throw error;
      },
    );
  };
  traced[TRACED] = true;
  return traced;
}

/**
 * Children resolve after their parent returned, outside its `context.with`;
 * the parent is found through `info.path` instead (list items add one level).
 */
function parentResolverContext(state: Operation, path: GraphQLResolveInfo['path']): Context | undefined {
  for (let ancestor = path.prev; ancestor; ancestor = ancestor.prev) {
    const found = state.resolverContexts?.get(ancestor);
    if (found) return found;
  }
  return undefined;
}

function resolverAttributes(info: GraphQLResolveInfo) {
  return {
    'graphql.field.name': info.fieldName,
    'graphql.field.path': pathString(info.path),
    'graphql.field.type': String(info.returnType),
    'graphql.parent.name': info.parentType.name,
  };
}

function pathString(path: GraphQLResolveInfo['path']): string {
  const keys: Array<string | number> = [];
  for (let at: GraphQLResolveInfo['path'] | undefined = path; at; at = at.prev) keys.push(at.key);
  return keys.reverse().join('.');
}

/** graphql treats a returned `Error` as the field's error, like a throw. */
function endWithValue(span: Span, value: unknown): unknown {
  if (value instanceof Error) recordError(span, value);
  span.end();
  return value;
}

function endWithError(span: Span, error: unknown): void {
  recordError(span, error);
  span.end();
}
