// For tracehop's own packages: shared building blocks with no compatibility
// promise across minor versions. Applications import from `@tracehop/core`.
export { GRAPHQL_OPERATION_KEY, requestParentKey, TRACED_RESOLVER } from './context-keys.js';
export { keepBaggageEntries, toBaggagePredicate } from './baggage-entries.js';
export { isSemconvOption, semconvStability } from './semconv.js';
export type { SemconvOption, SemconvStability } from './semconv.js';
export { resolveTracer, startSpan } from './tracer.js';
export { isTrustPolicy } from './inbound.js';
export { outboundChecks } from './outbound.js';
export { checkArgument, checkOptions, checkRequiredOption } from './option-checks.js';
export type { OptionCheck, OptionSchema } from './option-checks.js';
export {
  anyOf,
  hasMethods,
  instrumentationChecks,
  isBoolean,
  isFunction,
  isNonEmptyString,
  isNonNegativeInteger,
  isOneOf,
  isOptions,
  isRatio,
  isString,
  isStringArray,
  isStringRecord,
} from './named-checks.js';
