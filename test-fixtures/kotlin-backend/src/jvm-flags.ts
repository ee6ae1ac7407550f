// The JVM command line: the agent, its configuration, and startup tuning.
import { agentPath, jarPath } from './paths.js';

/** The service name the agent reports and the fixture's log lines carry. */
export const kotlinServiceName = 'kotlin-backend';

/**
 * Agent configuration, each flag checked against agent 2.31.1 (see README.md).
 * Only gRPC, executors, coroutines, the API bridge and logback MDC are on, so the
 * spans we see are exactly the RPC spans. Spans go to stderr as OTLP JSON lines
 * (`logging-otlp`): stdout is the app's, with its Cloud Logging entries, as on Cloud Run.
 */
export const agentProperties: Readonly<Record<string, string>> = {
  'otel.service.name': kotlinServiceName,
  // Not experimental-otlp/stdout: it streams a batch to System.out in several writes
  // (a Jackson generator on the stream), so a log line written meanwhile would split it.
  'otel.traces.exporter': 'logging-otlp',
  'otel.metrics.exporter': 'none',
  'otel.logs.exporter': 'none',
  // Export 100 ms after a span ends instead of 5 s: tests poll for spans.
  'otel.bsp.schedule.delay': '100',
  'otel.instrumentation.common.default-enabled': 'false',
  'otel.instrumentation.grpc.enabled': 'true',
  'otel.instrumentation.executors.enabled': 'true',
  'otel.instrumentation.kotlinx-coroutines.enabled': 'true',
  'otel.instrumentation.opentelemetry-api.enabled': 'true',
  // The app's span/baggage.asContextElement() (opentelemetry-extension-kotlin) become the
  // agent's own context element, so they and the coroutine instrumentation share one key.
  'otel.instrumentation.opentelemetry-extension-kotlin.enabled': 'true',
  'otel.instrumentation.logback-mdc.enabled': 'true',
  'otel.instrumentation.grpc.emit-message-events': 'false',
  // Allow-list: only tenant.id is copied from baggage onto spans.
  'otel.java.experimental.span-attributes.copy-from-baggage.include': 'tenant.id',
};

// A test peer lives for seconds: C1 only and the serial GC start faster and
// leave the second core to vitest on a 2-core machine.
const startupFlags = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xss512k'];

/** Full `java` argument list for one fixture command (`server …` or `client …`). */
export function jvmArguments(command: readonly string[], extraProperties: Record<string, string> = {}): string[] {
  const properties = { ...agentProperties, ...extraProperties };
  return [
    ...startupFlags,
    `-javaagent:${agentPath}`,
    ...Object.entries(properties).map(([key, value]) => `-D${key}=${value}`),
    '-jar',
    jarPath,
    ...command,
  ];
}
