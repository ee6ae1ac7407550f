// One simulated service's telemetry: its own tracer provider (with the tenant
// processor), spans kept in memory for assertions, and a pino logger with the
// tracehop mixin whose lines are kept too. Spans also go to
// OTEL_EXPORTER_OTLP_ENDPOINT when that standard variable is set.
import { Writable } from 'node:stream';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { traceMixin } from '@tracehop/pino';
import { TenantSpanProcessor } from '@tracehop/tenant';
import { pino, type Logger } from 'pino';

/** One JSON log line as pino wrote it. */
export type LogLine = Record<string, unknown> & { service: string; msg: string };

export interface ServiceTelemetry {
  readonly serviceName: string;
  readonly provider: BasicTracerProvider;
  readonly logger: Logger;
  spans(): ReadableSpan[];
  logs(): LogLine[];
  reset(): void;
  shutdown(): Promise<void>;
}

/** Spans go to OTLP/HTTP as well when the standard endpoint variable is set. */
function otlpProcessors(): SpanProcessor[] {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  return endpoint ? [new BatchSpanProcessor(new OTLPTraceExporter())] : [];
}

export function createServiceTelemetry(serviceName: string): ServiceTelemetry {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new TenantSpanProcessor(), new SimpleSpanProcessor(exporter), ...otlpProcessors()],
  });
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const logger = pino(
    { base: { service: serviceName }, mixin: traceMixin({ format: 'otel', baggageKeys: ['tenant.id'] }) },
    sink,
  );
  return {
    serviceName,
    provider,
    logger,
    spans: () => exporter.getFinishedSpans(),
    logs: () => lines,
    reset() {
      exporter.reset();
      lines.length = 0;
    },
    shutdown: () => provider.shutdown(),
  };
}
