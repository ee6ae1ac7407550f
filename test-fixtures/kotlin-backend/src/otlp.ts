// Flattens the agent's OTLP JSON into plain spans: `logging-otlp` writes one
// ResourceSpans per line on stderr (the fixture's default, so stdout carries only
// log entries and app lines), `experimental-otlp/stdout` one `{"resourceSpans":[…]}`
// request per line on stdout.

/** One span as exported by the Java agent, flattened for assertions. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  /** Absent for a root span. */
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind number: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
  /** `service.name` of the resource that exported the span. */
  serviceName: string;
  /** Instrumentation scope name, e.g. `io.opentelemetry.grpc-1.6`. */
  scope: string;
  /** OTLP status: code 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
  /** W3C trace flags as the SDK recorded them. */
  flags?: number;
  /** Start and end, nanoseconds since the epoch as OTLP JSON writes int64: decimal strings. */
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
}

/** OTLP span kind numbers. */
export const SpanKindNumber = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface RawSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  attributes?: KeyValue[];
  status?: { code?: number; message?: string };
  flags?: number;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
}
interface ExportRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{ scope?: { name?: string }; spans?: RawSpan[] }>;
  }>;
}

/** Converts an OTLP AnyValue to plain JS (int64 strings become numbers). */
export function anyValueToJs(value: AnyValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(anyValueToJs);
  if (value.kvlistValue) return keyValuesToRecord(value.kvlistValue.values);
  return undefined;
}

/** OTLP attribute list to a plain record. */
export function keyValuesToRecord(list: KeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) out[key] = anyValueToJs(value);
  return out;
}

/** True for a stdout line that carries an OTLP span batch (`experimental-otlp/stdout`). */
export function isSpanLine(line: string): boolean {
  return line.startsWith('{"resourceSpans"');
}

// `logging-otlp` logs through the agent's own logger (slf4j-simple, stderr), one
// println per ResourceSpans, so a batch is never split by another writer:
// `[otel.javaagent <time>] [<thread>] INFO io.opentelemetry.exporter.logging.otlp.OtlpJsonLoggingSpanExporter - {…}`
// (OtlpJsonLoggingSpanExporter / LoggerJsonWriter in open-telemetry/opentelemetry-java).
const LOGGED_SPANS_MARKER = ' io.opentelemetry.exporter.logging.otlp.OtlpJsonLoggingSpanExporter - {';

/** True for a stderr line that carries one ResourceSpans (`logging-otlp`). */
export function isLoggedSpanLine(line: string): boolean {
  return line.startsWith('[otel.javaagent ') && line.includes(LOGGED_SPANS_MARKER);
}

/** Parses one `logging-otlp` stderr line into flattened spans (throws on bad JSON). */
export function parseLoggedSpanLine(line: string): OtlpSpan[] {
  const json = line.slice(line.indexOf(LOGGED_SPANS_MARKER) + LOGGED_SPANS_MARKER.length - 1);
  return parseSpanLine(`{"resourceSpans":[${json}]}`);
}

/** Parses one `{"resourceSpans":…}` line into flattened spans (throws on bad JSON). */
export function parseSpanLine(line: string): OtlpSpan[] {
  const request = JSON.parse(line) as ExportRequest;
  const spans: OtlpSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = keyValuesToRecord(resourceSpans.resource?.attributes);
    const serviceName = String(resource['service.name'] ?? '');
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const raw of scopeSpans.spans ?? []) {
        const span: OtlpSpan = {
          traceId: raw.traceId,
          spanId: raw.spanId,
          name: raw.name,
          kind: raw.kind ?? 0,
          attributes: keyValuesToRecord(raw.attributes),
          serviceName,
          scope: scopeSpans.scope?.name ?? '',
          status: { code: raw.status?.code ?? 0, ...(raw.status?.message ? { message: raw.status.message } : {}) },
        };
        // OTLP JSON omits empty fields: no parentSpanId means a root span.
        if (raw.parentSpanId) span.parentSpanId = raw.parentSpanId;
        if (raw.flags !== undefined) span.flags = raw.flags;
        if (raw.startTimeUnixNano !== undefined) span.startTimeUnixNano = String(raw.startTimeUnixNano);
        if (raw.endTimeUnixNano !== undefined) span.endTimeUnixNano = String(raw.endTimeUnixNano);
        spans.push(span);
      }
    }
  }
  return spans;
}
