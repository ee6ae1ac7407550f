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
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { gcpLoggerOptions, traceMixin } from '@tracehop/pino';
import { TenantSpanProcessor } from '@tracehop/tenant';
import { pino, type Logger } from 'pino';

/** One JSON log line as pino wrote it. */
export type LogLine = Record<string, unknown> & { service: string; msg: string };

/** Options for {@link createServiceTelemetry}. */
export interface ServiceTelemetryOptions {
  /**
   * Keep finished spans and log lines for `spans()`/`logs()`. Load tests turn
   * this off and check each one in `onSpan`/`onLog` instead, so heap growth
   * measures the app, not the test's records.
   * @default true
   */
  retain?: boolean;
  /** Called with every finished span. */
  onSpan?: (span: ReadableSpan) => void;
  /** Called with every log line. */
  onLog?: (line: LogLine) => void;
  /** Extra span processors, after the tenant processor (e.g. an OTLP exporter under test). */
  spanProcessors?: SpanProcessor[];
  /**
   * The provider's sampler (e.g. one that drops new root traces, to show a
   * caller's sampled flag does not force recording).
   * @default the SDK's: parent-based, always on for roots
   */
  sampler?: Sampler;
  /**
   * Log in Cloud Logging's shape instead (`gcpLoggerOptions`: severity, message,
   * time and the `logging.googleapis.com/*` trace fields; `tenant.id` from
   * baggage as before). `projectId` writes the trace as `projects/<id>/traces/<id>`.
   * @default undefined: the `otel` format (`trace_id`, `span_id`, `trace_flags`, `msg`)
   */
  gcpLogs?: { projectId?: string };
  /**
   * More resource attributes (`service.name` stays `serviceName`), e.g. what
   * Google's resource detector sets on Cloud Run (`cloud.platform`, `faas.*`,
   * `cloud.region`) or a `service.instance.id`.
   * @default none
   */
  resourceAttributes?: Record<string, string>;
}

export interface ServiceTelemetry {
  readonly serviceName: string;
  readonly provider: BasicTracerProvider;
  readonly logger: Logger;
  spans(): ReadableSpan[];
  logs(): LogLine[];
  reset(): void;
  shutdown(): Promise<void>;
}

/**
 * Spans go to OTLP/HTTP as well when the standard endpoint variable is set,
 * with the settings the README recommends (bounded queue, an exporter timeout
 * below the processor's, a concurrency cap): a collector that is down, silent
 * or slow never slows requests or grows memory (collector-outage.test.ts).
 */
function otlpProcessors(): SpanProcessor[] {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!endpoint) return [];
  const exporter = new OTLPTraceExporter({ timeoutMillis: 5_000, concurrencyLimit: 5 });
  return [
    new BatchSpanProcessor(exporter, {
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
      scheduledDelayMillis: 1_000,
      exportTimeoutMillis: 10_000,
    }),
  ];
}

export function createServiceTelemetry(serviceName: string, options: ServiceTelemetryOptions = {}): ServiceTelemetry {
  const retain = options.retain ?? true;
  const exporter = new InMemorySpanExporter();
  const processors: SpanProcessor[] = [new TenantSpanProcessor()];
  if (retain) processors.push(new SimpleSpanProcessor(exporter));
  if (options.onSpan) processors.push(callbackProcessor(options.onSpan));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ ...options.resourceAttributes, 'service.name': serviceName }),
    ...(options.sampler === undefined ? {} : { sampler: options.sampler }),
    spanProcessors: [...processors, ...(options.spanProcessors ?? []), ...otlpProcessors()],
  });
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (!text) continue;
        const line = JSON.parse(text) as LogLine;
        if (retain) lines.push(line);
        options.onLog?.(line);
      }
      done();
    },
  });
  const format = options.gcpLogs
    ? gcpLoggerOptions({ baggageKeys: ['tenant.id'], ...options.gcpLogs })
    : { mixin: traceMixin({ format: 'otel', baggageKeys: ['tenant.id'] }) };
  const logger = pino({ base: { service: serviceName }, ...format }, sink);
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
    // Rejects while a collector is down; a demo or test ending must not turn that into an unhandled rejection.
    shutdown: () => provider.shutdown().catch(() => undefined),
  };
}

/** A span processor that hands each finished span to `onSpan` and keeps nothing. */
function callbackProcessor(onSpan: (span: ReadableSpan) => void): SpanProcessor {
  return {
    onStart: () => undefined,
    onEnd: onSpan,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
