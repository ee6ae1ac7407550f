import { context, propagation, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Installs the AsyncLocalStorage context manager an app would install; once
 * per test file (vitest runs each file in its own process here).
 */
export function useAsyncContext(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** A real SDK provider whose finished spans land in memory, with lookups that fail loudly. */
export interface Tracing {
  readonly provider: BasicTracerProvider;
  readonly exporter: InMemorySpanExporter;
  spans(): ReadableSpan[];
  /** The one finished span with this name (and kind, if given); throws when there is not exactly one. */
  span(name: string, kind?: number): ReadableSpan;
}

/** `processors` run before the exporter's (a `TenantSpanProcessor`, say). */
export function createTracing(processors: SpanProcessor[] = []): Tracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [...processors, new SimpleSpanProcessor(exporter)] });
  return {
    provider,
    exporter,
    spans: () => exporter.getFinishedSpans(),
    span(name, kind) {
      const spans = exporter.getFinishedSpans();
      const found = spans.filter((span) => span.name === name && (kind === undefined || span.kind === kind));
      if (found.length !== 1) {
        throw new Error(`expected one span "${name}"${kind === undefined ? '' : ` of kind ${kind}`}, found ${found.length} among: ${spans.map((s) => s.name).join(', ')}`);
      }
      return found[0]!;
    },
  };
}

/** The baggage of `ctx` as a plain record. */
export function baggageOf(ctx: Context = context.active()): Record<string, string> {
  return Object.fromEntries((propagation.getBaggage(ctx)?.getAllEntries() ?? []).map(([key, entry]) => [key, entry.value]));
}

/** `parent` with these baggage entries (and no others). */
export function withBaggage(entries: Record<string, string>, parent: Context = context.active()): Context {
  const baggage = propagation.createBaggage(Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, { value }])));
  return propagation.setBaggage(parent, baggage);
}
