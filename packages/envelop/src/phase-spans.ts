import { context as otelContext, SpanKind, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { neverThrow } from '@tracehop/core';
import { startSpan } from '@tracehop/core/internal';
import { whenSettled } from './maybe-promise.js';
import { recordError } from './operation-span.js';

// `phaseSpans`: graphql.parse, graphql.validate, graphql.execute and
// graphql.subscribe (the names graphql-hive's OpenTelemetry plugin uses)
// under the operation span. Parsing and validation run before the operation
// span can start (envelop's `execute` instrumentation, where it starts, comes
// after them), so their times are kept on the request and their spans made
// when the operation starts, with those times: an operation left out by
// `ignoreOperations`, or one that never runs (a document that does not parse
// or validate), records none. No code of the app runs in those two phases, so
// nothing needs them active.
//
// Times: the SDK anchors each span on Date.now() (whole milliseconds) when it
// starts it, so spans it times itself can be out of order by up to a
// millisecond. Every span of this module, and the operation span with phase
// spans on, is given its start and end explicitly instead, on one clock: the
// monotonic performance.now() plus one wall-clock anchor taken when the
// operation starts. Within an operation they nest exactly; against the wall
// clock they are as right as Date.now().

/** One timed phase, in `performance.now()` milliseconds. */
export interface PhaseTiming {
  readonly name: 'graphql.parse' | 'graphql.validate';
  readonly start: number;
  readonly end: number;
}

/** Where a request keeps its phases until its operation starts. */
export interface PhaseHolder {
  phases?: PhaseTiming[];
}

/** Runs a synchronous phase and keeps its timing on `holder`, thrown or not. */
export function timePhase(holder: PhaseHolder, name: PhaseTiming['name'], context: Context, run: () => void): void {
  const start = performance.now();
  try {
    otelContext.with(context, run);
  } finally {
    (holder.phases ??= []).push({ name, start, end: performance.now() });
  }
}

/** The phases kept so far, now owned by the operation about to start. */
export function takePhases(holder: PhaseHolder): PhaseTiming[] | undefined {
  const phases = holder.phases;
  holder.phases = undefined;
  return phases;
}

/** What turns a `performance.now()` reading into wall-clock milliseconds for one operation. */
export function timeAnchor(): number {
  return Date.now() - performance.now();
}

/** Records the kept phases as children of the operation span, with their own times. */
export function recordPhases(tracer: Tracer, operationContext: Context, phases: readonly PhaseTiming[], anchor: number): void {
  for (const phase of phases) {
    startSpan(tracer, phase.name, { kind: SpanKind.INTERNAL, startTime: phase.start + anchor }, operationContext)?.end(phase.end + anchor);
  }
}

/**
 * Wraps envelop's `executeFn` / `subscribeFn`: a `graphql.execute` or
 * `graphql.subscribe` span, active while it runs (resolvers and what they
 * call nest under it), ended when its result (the single result, or the
 * stream of a subscription or `@defer`) is returned.
 */
export function phaseFn<Args extends unknown[], Result>(
  name: 'graphql.execute' | 'graphql.subscribe',
  tracer: Tracer,
  anchor: number,
  fn: (...args: Args) => Result,
): (...args: Args) => Result {
  return (...args) => {
    const parent = otelContext.active();
    const span = startSpan(tracer, name, { kind: SpanKind.INTERNAL, startTime: performance.now() + anchor }, parent);
    if (!span) return fn(...args);
    const phaseContext = trace.setSpan(parent, span);
    return whenSettled(
      () => otelContext.with(phaseContext, fn, undefined, ...args),
      (failed, error) => neverThrow(endPhase, undefined, PHASE_END_THREW, span, failed, error, anchor),
    ) as Result;
  };
}

const PHASE_END_THREW = 'ending a GraphQL phase span threw; the operation goes on';

function endPhase(span: Span, failed: boolean, error: unknown, anchor: number): void {
  if (failed) recordError(span, error);
  span.end(performance.now() + anchor);
}
