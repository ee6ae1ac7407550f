// One shape for spans from every source: the Node services' ReadableSpans are
// turned into the flattened OTLP spans the Java agent and the collector's file
// exporter give, so a test compares like with like.
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ServiceTelemetry } from '@tracehop/fixture-bff';
import type { OtlpSpan } from '@tracehop/fixture-kotlin-backend';

const KIND_NUMBER = [1, 2, 3, 4, 5] as const; // api SpanKind 0..4 -> OTLP 1..5

function hrTimeToNanos([seconds, nanos]: [number, number]): string {
  return (BigInt(seconds) * 1_000_000_000n + BigInt(nanos)).toString();
}

export function readableToOtlp(span: ReadableSpan): OtlpSpan {
  const parent = span.parentSpanContext?.spanId;
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    ...(parent ? { parentSpanId: parent } : {}),
    name: span.name,
    kind: KIND_NUMBER[span.kind] ?? 1,
    attributes: { ...span.attributes },
    serviceName: String(span.resource.attributes['service.name'] ?? ''),
    scope: span.instrumentationScope.name,
    status: { code: span.status.code, ...(span.status.message ? { message: span.status.message } : {}) },
    startTimeUnixNano: hrTimeToNanos(span.startTime),
    endTimeUnixNano: hrTimeToNanos(span.endTime),
  };
}

export function nodeSpansAsOtlp(services: ServiceTelemetry[]): OtlpSpan[] {
  return services.flatMap((service) => service.spans().map(readableToOtlp));
}

/** `service:spanId` keys, the identity of a span across sources. */
export function spanKeys(spans: OtlpSpan[]): string[] {
  return spans.map((span) => `${span.serviceName}:${span.spanId}`).sort();
}
