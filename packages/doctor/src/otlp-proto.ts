// The OTLP trace export request, decoded with protobufjs from the subset of
// opentelemetry-proto (v1) that the doctor reads. Field numbers are the
// official ones; events and other fields are skipped as unknown.
import protobuf from 'protobufjs';

const OTLP_TRACE_PROTO = `
syntax = "proto3";
package opentelemetry.proto;
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
message Link { bytes trace_id = 1; bytes span_id = 2; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; fixed32 flags = 16;
  string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; repeated Link links = 13; Status status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTraceServiceResponse {}
`;

const root = protobuf.parse(OTLP_TRACE_PROTO, { keepCase: false }).root;
const requestType = root.lookupType('opentelemetry.proto.ExportTraceServiceRequest');
const responseType = root.lookupType('opentelemetry.proto.ExportTraceServiceResponse');

/**
 * Decodes a binary export request to a plain object (camelCase, int64 as
 * strings, bytes as Buffers). Throws on malformed input.
 */
export function decodeTraceRequest(body: Uint8Array): unknown {
  return requestType.toObject(requestType.decode(body), { longs: String, defaults: false });
}

/** An empty binary ExportTraceServiceResponse (full success). */
export function encodeTraceResponse(): Uint8Array {
  return responseType.encode(responseType.create({})).finish();
}
