// The services of the fixture, each exporting its spans over OTLP/HTTP to one
// collector: the BFF, the Node backend and (optionally) the Kotlin backend
// under the Java agent. Two BFFs cover both call orders:
//   bffViaNode:   BFF -> Node backend -> Kotlin backend
//   bffViaKotlin: BFF -> Kotlin backend -> Node backend
// Every service also keeps what it produced (Node: in memory; Kotlin: the
// agent's stdout exporter next to OTLP), the ground truth a test compares the
// collector's output with.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createServiceTelemetry, startBff, startNodeBackend, type Bff, type BffOptions, type NodeBackend, type ServiceTelemetry } from '@tracehop/fixture-bff';
import { startKotlinServer, type KotlinServer, type OtlpSpan } from '@tracehop/fixture-kotlin-backend';
import { nodeSpansAsOtlp, readableToOtlp } from './span-views.js';

export type ExportHeaders = Record<string, string> | (() => Promise<Record<string, string>>);

/** Options for {@link startTracedStack}. */
export interface TracedStackOptions {
  /** The collector's OTLP/HTTP base URL (`/v1/traces` is appended). */
  collectorUrl: string;
  /** Headers for the Node exporters: a static record or a factory (e.g. `googleIdTokenHeaders`). */
  headers?: ExportHeaders;
  /** Static headers for the Java agent (`otel.exporter.otlp.headers`). */
  kotlinHeaders?: Record<string, string>;
  /**
   * Start the Kotlin backend (a JVM, ~2-4 s) too.
   * @default true
   */
  kotlin?: boolean;
  /**
   * Patient IDs the Node backend answers slowly, and how slowly (ms).
   * @default { 'p-slow': 500 }
   */
  slowPatients?: Record<string, number>;
  /**
   * Batch delay of every service, ms (the Java agent's `otel.bsp.schedule.delay` too).
   * @default 200
   */
  batchDelayMs?: number;
  /** Per-service batch delays (ms), overriding `batchDelayMs`: a service that exports late. */
  batchDelays?: Partial<Record<'bff' | 'node-backend' | 'kotlin-backend', number>>;
  /**
   * Keep every Node span in memory for `produced()`. Memory measurements turn
   * this off and count in `onSpan` instead.
   * @default true
   */
  retainSpans?: boolean;
  /** Called with every span a Node service finishes (before export). */
  onSpan?: (span: OtlpSpan) => void;
  /** Passed to both BFFs' `useTraceContext`: which client-chosen operation names are recorded (default: the plugin's). */
  operationNames?: BffOptions['operationNames'];
  /**
   * The Node exporters' queue bound (spans). Beyond it spans are dropped, never buffered.
   * @default 2048
   */
  maxQueueSize?: number;
  /**
   * Resource attributes per service, beyond `service.name` (the Node services'
   * SDK resource; the Java agent's `otel.resource.attributes`), e.g. the Cloud
   * Run attributes Google's resource detector sets and a `service.instance.id`.
   * @default none
   */
  resourceAttributes?: (service: 'bff' | 'node-backend' | 'kotlin-backend') => Record<string, string>;
}

export interface TracedStack {
  /** BFF -> Node backend (-> Kotlin backend when started). */
  readonly bffViaNode: Bff;
  /** BFF -> Kotlin backend -> Node backend; undefined without Kotlin. */
  readonly bffViaKotlin: Bff | undefined;
  readonly telemetry: { bff: ServiceTelemetry; node: ServiceTelemetry };
  readonly kotlin: KotlinServer | undefined;
  /** The Node backend's gRPC address (`127.0.0.1:port`), for calls that bypass the BFF. */
  readonly nodeAddress: string;
  /** Every span every service produced so far, as OTLP spans. */
  produced(): OtlpSpan[];
  /** Forces the Node exporters to send what they hold; resolves with their errors (401s…), never rejects. */
  flush(): Promise<unknown[]>;
  stop(): Promise<void>;
}

export async function startTracedStack(options: TracedStackOptions): Promise<TracedStack> {
  const defaultDelay = options.batchDelayMs ?? 200;
  const delayOf = (service: 'bff' | 'node-backend' | 'kotlin-backend') => options.batchDelays?.[service] ?? defaultDelay;
  const slow = options.slowPatients ?? { 'p-slow': 500 };
  const exporting = (name: 'bff' | 'node-backend') =>
    createServiceTelemetry(name, {
      retain: options.retainSpans ?? true,
      ...(options.resourceAttributes ? { resourceAttributes: options.resourceAttributes(name) } : {}),
      ...(options.onSpan ? { onSpan: (span) => options.onSpan!(readableToOtlp(span)) } : {}),
      spanProcessors: [
        new BatchSpanProcessor(
          new OTLPTraceExporter({ url: `${options.collectorUrl}/v1/traces`, headers: options.headers, timeoutMillis: 5_000, concurrencyLimit: 5 }),
          { maxQueueSize: options.maxQueueSize ?? 2048, maxExportBatchSize: 512, scheduledDelayMillis: delayOf(name), exportTimeoutMillis: 10_000 },
        ),
      ],
    });
  const bffTelemetry = exporting('bff');
  const nodeTelemetry = exporting('node-backend');
  const kotlinHeaders = Object.entries(options.kotlinHeaders ?? {}).map(([key, value]) => `${key}=${value}`).join(',');
  const kotlinResource = Object.entries(options.resourceAttributes?.('kotlin-backend') ?? {}).map(([key, value]) => `${key}=${value}`).join(',');
  const [kotlin, node] = await Promise.all([
    options.kotlin === false
      ? undefined
      : startKotlinServer({
          systemProperties: {
            // logging-otlp (stderr) stays on as the record of what the agent produced; not
            // experimental-otlp/stdout, whose batches the JVM's log lines on stdout can split
            'otel.traces.exporter': 'otlp,logging-otlp',
            'otel.exporter.otlp.traces.endpoint': `${options.collectorUrl}/v1/traces`,
            'otel.exporter.otlp.traces.protocol': 'http/protobuf',
            ...(kotlinHeaders ? { 'otel.exporter.otlp.traces.headers': kotlinHeaders } : {}),
            'otel.bsp.schedule.delay': String(delayOf('kotlin-backend')),
            ...(kotlinResource ? { 'otel.resource.attributes': kotlinResource } : {}),
          },
        }),
    startNodeBackend(nodeTelemetry, { delayMs: (request) => slow[String(request.patientId)] ?? 0 }),
  ]);
  const backends: NodeBackend[] = [node];
  const names = options.operationNames === undefined ? {} : { operationNames: options.operationNames };
  const bffViaNode = await startBff({ telemetry: bffTelemetry, backendAddress: node.address, forwardTo: kotlin?.address, ...names });
  const bffViaKotlin = kotlin ? await startBff({ telemetry: bffTelemetry, backendAddress: kotlin.address, forwardTo: node.address, ...names }) : undefined;
  const services = [bffTelemetry, nodeTelemetry];
  return {
    bffViaNode,
    bffViaKotlin,
    telemetry: { bff: bffTelemetry, node: nodeTelemetry },
    kotlin,
    nodeAddress: node.address,
    produced: () => [...nodeSpansAsOtlp(services), ...(kotlin?.spans() ?? [])],
    async flush() {
      const errors: unknown[] = [];
      for (const service of services) await service.provider.forceFlush().catch((error: unknown) => errors.push(error));
      return errors;
    },
    async stop() {
      await Promise.all([bffViaNode.stop(), bffViaKotlin?.stop()]);
      await Promise.all([...backends.map((backend) => backend.stop()), kotlin?.stop()]);
      await Promise.all(services.map((service) => service.shutdown()));
    },
  };
}
