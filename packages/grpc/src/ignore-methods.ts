import { neverThrow } from '@tracehop/core';
import { anyOf, isFunction, type OptionCheck } from '@tracehop/core/internal';
import { fullMethodName } from './attributes.js';

// `ignoreMethods`: calls that record no span but still carry context.
// instrumentation-grpc's `ignoreGrpcMethods` matches the bare method name, so
// `Check` silences grpc.health.v1.Health/Check and every other service's
// Check too (opentelemetry-js#2252); here a name is always qualified by its
// service, and a bare one is refused when the interceptor is created.

/** `package.Service/Method` or `package.Service/*`, with or without the leading `/` of a grpc-js path. */
const METHOD_PATTERN = /^\/?[^/\s*]+\/(?:[^/\s*]+|\*)$/;

export const isIgnoreMethods: OptionCheck = anyOf(
  {
    expects: 'an array of "package.Service/Method" or "package.Service/*" names',
    test: (value) => Array.isArray(value) && value.every((item) => typeof item === 'string' && METHOD_PATTERN.test(item)),
  },
  isFunction('(method) => boolean'),
);

export type IgnoreMethodsOption = readonly string[] | ((method: string) => boolean);

/**
 * Compiles the (checked) option into "is this grpc-js path ignored?", or
 * `undefined` when nothing is ignored, so a hop without the option pays one
 * `undefined` check per call. The answer is kept per path: one `Map` lookup a
 * call, and a predicate is asked once per method. Paths are bounded by the
 * methods a server registered (grpc-js answers others before interceptors
 * run) or a client's code calls.
 */
export function compileIgnoreMethods(option: IgnoreMethodsOption | undefined): ((path: string) => boolean) | undefined {
  if (option === undefined || (Array.isArray(option) && option.length === 0)) return undefined;
  const decide = typeof option === 'function' ? askPredicate(option) : matchNames(option as readonly string[]);
  const byPath = new Map<string, boolean>();
  return (path) => {
    let ignored = byPath.get(path);
    if (ignored === undefined) {
      ignored = decide(fullMethodName(path));
      byPath.set(path, ignored);
    }
    return ignored;
  };
}

const PREDICATE_THREW = 'the ignoreMethods predicate threw; the method records spans';

function askPredicate(predicate: (method: string) => boolean): (method: string) => boolean {
  return (method) => neverThrow(predicate, false, PREDICATE_THREW, method) === true;
}

function matchNames(names: readonly string[]): (method: string) => boolean {
  const methods = new Set<string>();
  const services = new Set<string>();
  for (const name of names) {
    const method = fullMethodName(name);
    if (method.endsWith('/*')) services.add(method.slice(0, -2));
    else methods.add(method);
  }
  return (method) => methods.has(method) || services.has(method.slice(0, method.lastIndexOf('/')));
}
