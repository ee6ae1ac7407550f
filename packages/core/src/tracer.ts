import { trace, type Context, type Span, type SpanOptions, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { neverThrow } from './never-throw.js';

/**
 * The tracer a hop records with, looked up once when the hop is created: from
 * its `tracerProvider` option, else the global provider, whose ProxyTracer
 * starts recording once an SDK registers.
 */
export function resolveTracer(provider: TracerProvider | undefined, scopeName: string, scopeVersion: string): Tracer {
  return (provider ?? trace.getTracerProvider()).getTracer(scopeName, scopeVersion);
}

/**
 * `tracer.startSpan`, which never throws: a tracer (an SDK, its span
 * processors, a sampler) that throws leaves the operation without a span,
 * with a `diag` warning, and the request goes on.
 */
export function startSpan(tracer: Tracer, name: string, options: SpanOptions, parent: Context): Span | undefined {
  return neverThrow(startWith, undefined, START_SPAN_THREW, tracer, name, options, parent);
}

const START_SPAN_THREW = 'the tracer threw starting a span; the operation runs without it';

function startWith(tracer: Tracer, name: string, options: SpanOptions, parent: Context): Span {
  return tracer.startSpan(name, options, parent);
}
