import { SpanKind, type Span } from '@opentelemetry/api';
import { Server } from '@grpc/grpc-js';

// Coexistence with @opentelemetry/instrumentation-grpc: when it is active it
// already makes a span for the call, so tracehop must not add a second one.
const PEER_SCOPE = '@opentelemetry/instrumentation-grpc';

interface ScopedSpan {
  instrumentationScope?: { name?: string };
  instrumentationLibrary?: { name?: string };
  kind?: SpanKind;
}

/** The active span is the CLIENT span instrumentation-grpc started for this very call. */
export function isPeerClientSpan(span: Span | undefined): boolean {
  if (!span) return false;
  const scoped = span as unknown as ScopedSpan;
  const scope = scoped.instrumentationScope?.name ?? scoped.instrumentationLibrary?.name;
  return scope === PEER_SCOPE && scoped.kind === SpanKind.CLIENT;
}

/**
 * instrumentation-grpc has wrapped `Server.prototype.register` (shimmer marks
 * wrappers with `__wrapped`), so every handler it registered starts its own
 * SERVER span. Read per call: the instrumentation can be enabled at any time.
 */
export function isPeerServerInstrumentationActive(): boolean {
  return Boolean((Server.prototype.register as { __wrapped?: unknown }).__wrapped);
}
