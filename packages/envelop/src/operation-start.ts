import { diag, SpanKind, type Context, type SpanOptions } from '@opentelemetry/api';
import { neverThrow } from '@tracehop/core';
import { startSpan } from '@tracehop/core/internal';
import type { PluginConfig } from './config.js';
import { httpRequestAttributes } from './http-attributes.js';
import { isIgnored } from './ignore-operations.js';
import { Operation } from './operation.js';
import { recordPhases, takePhases, timeAnchor, type PhaseTiming } from './phase-spans.js';
import type { RequestParent, RequestParents } from './request-parent.js';
import type { YogaHttp } from './yoga-http.js';

/** Semantic conventions: the span name while the operation type is unknown. */
const UNKNOWN_OPERATION = 'GraphQL Operation';

/**
 * Starts an operation: the request's parent, then `enrich`, then the span
 * (so span processors see the enriched baggage). The operation is not known
 * yet (envelop's instrumentation sees no arguments): `describeOperation`
 * names the span once `onExecute`/`onSubscribe` has them. Never throws.
 */
export function beginOperation(graphqlContext: unknown, config: PluginConfig, parents: RequestParents, yoga: YogaHttp | undefined): Operation {
  const parent = parents.of(graphqlContext);
  const context = enrich(parent.context, graphqlContext, config);
  const phases = config.phaseSpans ? takePhases(parent) : undefined;
  // Left out: no span of any kind, but the same context, so what it calls still propagates.
  if (config.ignoreOperation && neverThrow(isIgnored, false, IGNORE_THREW, config.ignoreOperation, parent.document, graphqlContext)) {
    return new Operation(config, context, undefined, true);
  }
  const anchor = config.phaseSpans ? timeAnchor() : undefined;
  const span = config.recordSpans ? startSpan(config.tracer, UNKNOWN_OPERATION, spanOptions(parent, graphqlContext, config, phases, anchor, yoga), context) : undefined;
  const operation = new Operation(config, context, span, false, anchor);
  if (span && phases && anchor !== undefined) neverThrow(recordPhases, undefined, PHASES_THREW, config.tracer, operation.context, phases, anchor);
  // Under Yoga a SERVER span with HTTP attributes waits for the response status.
  if (span && yoga && parent.kind === SpanKind.SERVER && yoga.register(graphqlContext, operation)) operation.awaitResponse();
  return operation;
}

const IGNORE_THREW = 'deciding ignoreOperations threw; the operation records spans';
const PHASES_THREW = 'recording the parse and validate spans threw; the operation goes on without them';
const HTTP_THREW = 'reading the HTTP request for httpAttributes threw; the span goes without them';

/**
 * The operation span's options: the parent's kind and links; with
 * `httpAttributes` the request's attributes on a SERVER span (set at start,
 * so samplers see them); with phase spans, a start when parsing started.
 */
function spanOptions(
  parent: RequestParent,
  graphqlContext: unknown,
  config: PluginConfig,
  phases: readonly PhaseTiming[] | undefined,
  anchor: number | undefined,
  yoga: YogaHttp | undefined,
): SpanOptions {
  const options: SpanOptions = { kind: parent.kind, links: parent.links };
  if (config.httpAttributes && parent.kind === SpanKind.SERVER) {
    options.attributes = neverThrow(httpRequestAttributes, undefined, HTTP_THREW, graphqlContext, yoga?.route);
  }
  // With phase spans every time is explicit, on the operation's one clock (phase-spans.ts).
  if (anchor !== undefined) options.startTime = (phases?.[0]?.start ?? performance.now()) + anchor;
  return options;
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
