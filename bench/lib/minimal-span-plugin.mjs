// Diagnostic, not a product: the floor under any GraphQL plugin that records
// an operation span. Shared by both harnesses, so both measure the same floor.
import { context, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

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

const w3c = new W3CTraceContextPropagator();
const fetchHeadersGetter = {
  get: (headers, key) => headers?.get(key) ?? undefined,
  keys: (headers) => (headers ? [...headers.keys()] : []),
};

/**
 * Diagnostic: the least a plugin does that does this hop's job, the job the
 * floor above leaves out: continue the caller's `traceparent` (OpenTelemetry's
 * W3C propagator, no trust policy, no baggage, no tracestate re-read), start a
 * SERVER span under it and name it from the operation (type and name, from
 * `onExecute`'s arguments, as two attributes). No error recording.
 * `everyPhase`: the caller's trace is also active while Yoga parses, validates
 * and builds the GraphQL context (as useTraceContext keeps it), read once per
 * request.
 */
export function minimalContinuingSpanPlugin(tracer, { everyPhase = false } = {}) {
  const PARENT = Symbol('bench.minimal.parent');
  const OPERATION = Symbol('bench.minimal.operation');
  const parentOf = (graphqlContext) =>
    (graphqlContext[PARENT] ??= w3c.extract(ROOT_CONTEXT, graphqlContext.request?.headers, fetchHeadersGetter));
  const inParent = (payload, wrapped) => context.with(parentOf(payload.context), wrapped);
  return {
    instrumentation: {
      ...(everyPhase ? { parse: inParent, validate: inParent, context: inParent } : {}),
      execute(payload, wrapped) {
        const parent = parentOf(payload.context);
        const span = tracer.startSpan('GraphQL Operation', { kind: SpanKind.SERVER }, parent);
        payload.context[OPERATION] = span;
        const result = context.with(trace.setSpan(parent, span), wrapped);
        if (typeof result?.then !== 'function') return void span.end();
        return result.then(() => span.end());
      },
    },
    onExecute({ args }) {
      const span = args.contextValue?.[OPERATION];
      const definition = args.document.definitions.find((node) => node.kind === 'OperationDefinition');
      if (!span || !definition) return;
      span.setAttribute('graphql.operation.type', definition.operation);
      if (definition.name) span.setAttribute('graphql.operation.name', definition.name.value);
      span.updateName(definition.operation);
    },
  };
}
