// Diagnostic, not a product: the floor under any GraphQL plugin that records
// an operation span. Shared by the HTTP benchmark and the in-process tool so
// both measure the same floor.
import { context, trace } from '@opentelemetry/api';

/**
 * One span around execute and active inside it, through envelop's
 * instrumentation API. No inbound headers, no trust policy, no name from the
 * document, no error recording.
 */
export function minimalSpanPlugin(tracer) {
  return {
    instrumentation: {
      execute(_payload, wrapped) {
        const span = tracer.startSpan('GraphQL Operation');
        const result = context.with(trace.setSpan(context.active(), span), wrapped);
        if (typeof result?.then !== 'function') return void span.end();
        return result.then(() => span.end());
      },
    },
  };
}
