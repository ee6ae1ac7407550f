// The one SDK setup every "with spans" variant shares, in every process:
// NodeTracerProvider (AsyncLocalStorage context manager, W3C propagators),
// a BatchSpanProcessor, and an exporter that only counts. Counting lets the
// report show spans per operation, so a variant that silently records nothing
// (a mis-registered instrumentation) cannot pass for a fast one.
'use strict';
const { context } = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');

const { CALLER_TRACE_ID } = require('./caller.cjs');

function countingExporter() {
  let exported = 0;
  let inCallerTrace = 0;
  return {
    exporter: {
      export(spans, done) {
        exported += spans.length;
        // One comparison per span, the same for every variant (a map of every
        // trace would grow with the variants that start new traces).
        for (const span of spans) if (span.spanContext().traceId === CALLER_TRACE_ID) inCallerTrace++;
        done({ code: 0 });
      },
      shutdown: () => Promise.resolve(),
      forceFlush: () => Promise.resolve(),
    },
    count: () => exported,
    inCallerTrace: () => inCallerTrace,
  };
}

/**
 * Registers the SDK globally (provider, context manager, propagator), as an
 * app's tracing.js would; `propagator` replaces the SDK's default global one.
 */
function startSdk({ propagator } = {}) {
  const counter = countingExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(counter.exporter)] });
  provider.register(propagator ? { propagator } : undefined);
  enableAsyncHooksNow();
  return {
    provider,
    async spanCount() {
      await provider.forceFlush();
      return counter.count();
    },
    /** Spans exported so far in the caller's trace (after `spanCount`, which flushes). */
    spansInCallerTrace: () => counter.inCallerTrace(),
  };
}

/**
 * No SDK, only a context manager: what an app that propagates but records
 * nothing has. Without one, `context.with` is a no-op and no hop can see the
 * caller's context at all.
 */
function startContextOnly() {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  enableAsyncHooksNow();
}

/**
 * On Node 20, AsyncLocalStorage installs its async hooks on first use (its
 * first `run`), and from then on every async resource in the process pays
 * for them. A process whose code never calls `context.with` would otherwise
 * look free; any real instrumented app has called it once.
 */
function enableAsyncHooksNow() {
  context.with(context.active(), () => undefined);
}

module.exports = { startSdk, startContextOnly };
