import type { Tracer } from '@opentelemetry/api';
import { compileTrustPolicy, type CompiledTrustPolicy, type ContextEnricher, type HeadersLike } from '@tracehop/core';
import {
  anyOf,
  checkOptions,
  instrumentationChecks,
  isBoolean,
  isFunction,
  isNonNegativeInteger,
  isOneOf,
  isStringArray,
  isTrustPolicy,
  resolveTracer,
  type OptionSchema,
} from '@tracehop/core/internal';
import type { DocumentRecording } from './document.js';
import { compileIgnoreOperations, isIgnoreOperations, type IgnoreRule } from './ignore-operations.js';
import { operationNameRecorder } from './operation-names.js';
import { SCOPE_NAME, SCOPE_VERSION } from './scope.js';
import type { InboundRequest, OperationSpanName, TraceContextOptions } from './types.js';

/** How many distinct operation names are recorded as they are when no list is given. */
const DEFAULT_OPERATION_NAMES = 100;

/** {@link TraceContextOptions} checked, with defaults applied, compiled once per plugin: what the request path reads. */
export interface PluginConfig {
  readonly tracer: Tracer;
  readonly policy: CompiledTrustPolicy<InboundRequest>;
  readonly getHeaders: (graphqlContext: unknown) => HeadersLike | undefined;
  readonly recordSpans: boolean;
  readonly spanName: OperationSpanName;
  /** The recorded name for a client-chosen operation name: itself, or `_OTHER`. */
  readonly operationName: (name: string) => string;
  readonly recordDocument: DocumentRecording;
  readonly resolverSpans: boolean;
  readonly enrich: ContextEnricher<unknown> | undefined;
  /** HTTP attributes on SERVER spans (and, under Yoga, waiting for the response status). */
  readonly httpAttributes: boolean;
  /** `ignoreOperations` compiled; `undefined` when nothing is left out. */
  readonly ignoreOperation: IgnoreRule | undefined;
  /** Phase spans; only with `recordSpans` (they need an operation span to nest under). */
  readonly phaseSpans: boolean;
}

export const pluginOptionChecks: OptionSchema = {
  ...instrumentationChecks,
  trust: isTrustPolicy,
  getHeaders: isFunction('(graphqlContext) => headers'),
  recordSpans: isBoolean,
  spanName: isOneOf('type', 'type-name'),
  operationNames: anyOf(isStringArray('an array of operation names'), isFunction('(name) => boolean'), isNonNegativeInteger),
  recordDocument: anyOf(isBoolean, isFunction('(document) => string')),
  resolverSpans: isBoolean,
  enrich: isFunction('(otelContext, graphqlContext) => Context'),
  httpAttributes: isBoolean,
  ignoreOperations: isIgnoreOperations,
  phaseSpans: isBoolean,
};

export function compilePluginConfig(options: TraceContextOptions): PluginConfig {
  checkOptions('useTraceContext', options, pluginOptionChecks);
  const recordDocument = options.recordDocument ?? false;
  const recordSpans = options.recordSpans ?? true;
  return {
    tracer: resolveTracer(options.tracerProvider, SCOPE_NAME, SCOPE_VERSION),
    // The BFF is the public edge: inbound baggage is refused unless allowed.
    policy: compileTrustPolicy<InboundRequest>(options.trust, { acceptBaggage: false, propagator: options.propagator }),
    getHeaders: options.getHeaders ?? defaultGetHeaders,
    recordSpans,
    spanName: options.spanName ?? 'type',
    operationName: operationNameRecorder(options.operationNames ?? DEFAULT_OPERATION_NAMES),
    recordDocument: recordDocument === true ? 'redacted' : recordDocument,
    resolverSpans: options.resolverSpans ?? false,
    enrich: options.enrich,
    httpAttributes: recordSpans && options.httpAttributes === true,
    ignoreOperation: compileIgnoreOperations(options.ignoreOperations),
    phaseSpans: recordSpans && options.phaseSpans === true,
  };
}

interface KnownServerContext {
  request?: { headers?: HeadersLike };
  req?: { headers?: HeadersLike };
  extra?: { request?: { headers?: HeadersLike } };
}

/** Yoga (`request`), envelop on node:http (`req`), graphql-ws (`extra.request`). */
function defaultGetHeaders(graphqlContext: unknown): HeadersLike | undefined {
  if (typeof graphqlContext !== 'object' || graphqlContext === null) return undefined;
  const known = graphqlContext as KnownServerContext;
  return known.request?.headers ?? known.req?.headers ?? known.extra?.request?.headers;
}
