// The Node SDK span conversion the end-to-end suites use with
// @tracehop/doctor's tree (traceTree, renderTrace from @tracehop/doctor/testing).
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { TreeSpan } from '@tracehop/doctor/testing';


const NODE_KINDS = { [SpanKind.SERVER]: 'SERVER', [SpanKind.CLIENT]: 'CLIENT', [SpanKind.INTERNAL]: 'INTERNAL', [SpanKind.PRODUCER]: 'PRODUCER', [SpanKind.CONSUMER]: 'CONSUMER' } as const;

/** A Node SDK span as a {@link TreeSpan}. */
export function fromReadableSpan(span: ReadableSpan): TreeSpan {
  const toMs = ([seconds, nanos]: [number, number]) => seconds * 1e3 + nanos / 1e6;
  const tenant = span.attributes['tenant.id'];
  return {
    service: String(span.resource.attributes['service.name'] ?? 'unknown'),
    name: span.name,
    kind: NODE_KINDS[span.kind],
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    startMs: toMs(span.startTime),
    durationMs: toMs(span.duration),
    status: span.status.code === SpanStatusCode.ERROR ? 'ERROR' : span.status.code === SpanStatusCode.OK ? 'OK' : 'UNSET',
    tenant: typeof tenant === 'string' ? tenant : undefined,
  };
}
