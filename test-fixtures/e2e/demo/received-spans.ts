// The demo's spans come the way a user's do: every service exports OTLP to a
// receiver (tracehop doctor's), Node over HTTP and the Java agent over gRPC.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startReceiver, type Receiver, type TreeSpan } from '@tracehop/doctor/testing';

export interface DemoSpans {
  receiver: Receiver;
  /** A span processor exporting to the receiver, for a Node service. */
  processor(): SpanProcessor;
  /** Java agent properties exporting to the receiver's gRPC port. */
  agentProperties(): Record<string, string>;
  /**
   * The spans of `traceId`, once a SERVER span of `service` arrived, so did every span
   * `spanIds()` names (the spans the request's log lines name), and nothing new came for 200 ms (at most 10 s).
   */
  settled(traceId: string, service: string, spanIds?: () => Array<string | null | undefined>): Promise<TreeSpan[]>;
  close(): Promise<void>;
}

export async function receiveSpans(): Promise<DemoSpans> {
  const receiver = await startReceiver({ port: 0, grpcPort: 0 });
  const ofTrace = (traceId: string) => receiver.store.all().filter((span) => span.traceId === traceId);
  return {
    receiver,
    processor: () => new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${receiver.endpoint}/v1/traces` })),
    agentProperties: () => ({
      'otel.traces.exporter': 'otlp',
      'otel.exporter.otlp.protocol': 'grpc',
      'otel.exporter.otlp.endpoint': receiver.grpcEndpoint!,
    }),
    async settled(traceId, service, spanIds = () => []) {
      receiver.store.watch(traceId);
      const deadline = Date.now() + 10_000;
      let count = -1;
      while (Date.now() < deadline) {
        const spans = ofTrace(traceId);
        const named = spanIds().every((id) => id == null || spans.some((s) => s.spanId === id));
        if (spans.length === count && named && spans.some((s) => s.service === service && s.kind === 'SERVER')) return spans;
        count = spans.length;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return ofTrace(traceId);
    },
    close: () => receiver.close(),
  };
}
