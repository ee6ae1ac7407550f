// OTLP/HTTP bodies as a receiving server reads and answers them: the export
// requests for traces and metrics decoded with protobufjs from the subset of
// opentelemetry-proto (v1) the loopback fakes read (and logs: logs/v1/logs.proto), and the export responses
// (with `partial_success`) encoded. Field numbers are the official ones
// (open-telemetry/opentelemetry-proto: trace/v1/trace.proto, metrics/v1/metrics.proto,
// common/v1/common.proto, resource/v1/resource.proto, collector/*/v1/*_service.proto);
// fields left out (events, links, exemplars, exponential histograms, summaries)
// are skipped as unknown fields, as protobuf readers do.
// JSON bodies (OTLP/HTTP JSON) go through the same types with `fromObject`.
import protobuf from 'protobufjs';

const OTLP_PROTO = `
syntax = "proto3";
package otlp;
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Resource { repeated KeyValue attributes = 1; }
message Status { string message = 2; int32 code = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; fixed32 flags = 16;
  string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; Status status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }

message NumberDataPoint {
  repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  oneof value { double as_double = 4; sfixed64 as_int = 6; }
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  fixed64 count = 4; optional double sum = 5; repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7;
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message Metric {
  string name = 1; string description = 2; string unit = 3;
  oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; }
}
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ExportMetricsPartialSuccess { int64 rejected_data_points = 1; string error_message = 2; }
message ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }

message LogRecord {
  fixed64 time_unix_nano = 1; fixed64 observed_time_unix_nano = 11; int32 severity_number = 2; string severity_text = 3;
  AnyValue body = 5; repeated KeyValue attributes = 6; bytes trace_id = 9; bytes span_id = 10; string event_name = 12;
}
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
`;

const root = protobuf.parse(OTLP_PROTO, { keepCase: false }).root;
const types = {
  traces: { request: root.lookupType('otlp.ExportTraceServiceRequest'), response: root.lookupType('otlp.ExportTraceServiceResponse') },
  metrics: { request: root.lookupType('otlp.ExportMetricsServiceRequest'), response: root.lookupType('otlp.ExportMetricsServiceResponse') },
  logs: { request: root.lookupType('otlp.ExportLogsServiceRequest'), response: root.lookupType('otlp.ExportLogsServiceResponse') },
};
const REJECTED_KEY: Record<Signal, string> = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' };

/** The signals the fakes take. */
export type Signal = keyof typeof types;
/** How the body is encoded: OTLP/HTTP binary protobuf or OTLP/HTTP JSON. */
export type OtlpEncoding = 'protobuf' | 'json';

export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}
export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

/**
 * The encoding a `Content-Type` names, or undefined for anything else
 * (https://opentelemetry.io/docs/specs/otlp/#otlphttp: `application/x-protobuf`
 * or `application/json`).
 */
export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/**
 * Decodes an export request to a plain object (camelCase fields, 64-bit
 * integers as decimal strings, bytes as lowercase hex — the OTLP JSON trace/span
 * ID form). Throws on a malformed body.
 */
export function decodeRequest(signal: Signal, encoding: OtlpEncoding, body: Buffer): unknown {
  const type = types[signal].request;
  const message = encoding === 'protobuf' ? type.decode(body) : type.fromObject(fromOtlpJson(JSON.parse(body.toString('utf8'))) as Record<string, unknown>);
  const plain = type.toObject(message, { longs: String, bytes: String, defaults: false, oneofs: false });
  return hexIds(plain);
}

/** An export response; `partial` when some items were rejected (https://opentelemetry.io/docs/specs/otlp/#partial-success-1). */
export function encodeResponse(signal: Signal, encoding: OtlpEncoding, partial?: { rejected: number; message: string }): Buffer {
  const type = types[signal].response;
  const rejectedKey = REJECTED_KEY[signal];
  const object = partial ? { partialSuccess: { [rejectedKey]: partial.rejected, errorMessage: partial.message } } : {};
  // proto3 JSON writes int64 as a decimal string.
  if (encoding === 'json') return Buffer.from(JSON.stringify(object, (_key, value: unknown) => (_key === rejectedKey ? String(value) : value)));
  return Buffer.from(type.encode(type.fromObject(object)).finish());
}

/** `{ key, value }` lists as a record of plain values (strings, numbers, booleans, arrays). */
export function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) out[key] = plainValue(value);
  return out;
}

function plainValue(value: OtlpAnyValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plainValue);
  if (value.kvlistValue) return attributesOf(value.kvlistValue.values);
  return value.bytesValue;
}

// OTLP JSON writes trace and span IDs as hex, where protobufjs' fromObject reads
// bytes as base64: convert those fields before.
const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);
function fromOtlpJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromOtlpJson);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = ID_FIELDS.has(key) && typeof field === 'string' ? Buffer.from(field, 'hex').toString('base64') : fromOtlpJson(field);
  }
  return out;
}

function hexIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexIds);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = ID_FIELDS.has(key) && typeof field === 'string' ? Buffer.from(field, 'base64').toString('hex') : hexIds(field);
  }
  return out;
}
