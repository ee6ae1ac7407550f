// The JSON a backend handler puts in its reply: what the handler's own code saw
// of the active context. The Kotlin fixture replies in the same shape.
import { context, propagation, trace } from '@opentelemetry/api';

export interface EchoRequest {
  /** Make the backend fail with INTERNAL (a failing request for the demo). */
  fail?: boolean;
  /** Call tracehop.fixture.Echo/Say on this `host:port` and nest its reply. */
  forwardTo?: string;
  [key: string]: unknown;
}

export interface HandlerObservation {
  service: string;
  traceId: string | null;
  spanId: string | null;
  baggage: Record<string, string>;
  downstream: HandlerObservation | null;
}

export function observeHandler(service: string, downstream: HandlerObservation | null = null): HandlerObservation {
  const spanContext = trace.getSpanContext(context.active());
  const baggage = Object.fromEntries((propagation.getBaggage(context.active())?.getAllEntries() ?? []).map(([k, e]) => [k, e.value]));
  return { service, traceId: spanContext?.traceId ?? null, spanId: spanContext?.spanId ?? null, baggage, downstream };
}

export function parseEchoRequest(value: string): EchoRequest {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null ? (parsed as EchoRequest) : {};
  } catch {
    return {};
  }
}
