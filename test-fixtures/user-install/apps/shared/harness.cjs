// Not tracehop code: what any app has anyway, kept out of the entry files so
// those show only how a user wires tracehop. A gRPC service defined with JSON
// serialization (no protobuf toolchain to install), a span exporter that
// prints each finished span as one JSON line for the test to read, and the
// line that tells the test where the app listens. Copied into each scratch app.
'use strict';

const toJson = (value) => Buffer.from(JSON.stringify(value));
const fromJson = (buffer) => JSON.parse(buffer.toString('utf8'));

/** One unary method, /tracehop.fixture.Patients/GetPatient. */
const patientsService = {
  getPatient: {
    path: '/tracehop.fixture.Patients/GetPatient',
    requestStream: false,
    responseStream: false,
    requestSerialize: toJson,
    requestDeserialize: fromJson,
    responseSerialize: toJson,
    responseDeserialize: fromJson,
  },
};

/** A SpanExporter (sdk-trace-base 2.x) writing `{"span":{...}}` lines to stdout, beside pino's lines. */
class JsonLinesSpanExporter {
  export(spans, resultCallback) {
    for (const span of spans) {
      const { traceId, spanId } = span.spanContext();
      const line = {
        span: {
          name: span.name,
          kind: span.kind,
          traceId,
          spanId,
          parentSpanId: span.parentSpanContext?.spanId,
          scope: { name: span.instrumentationScope.name, version: span.instrumentationScope.version },
          attributes: span.attributes,
        },
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
    resultCallback({ code: 0 });
  }

  shutdown() {
    return Promise.resolve();
  }
}

/** Tells the test the app is up, and where. */
function announce(ready) {
  process.stdout.write(`${JSON.stringify({ ready })}\n`);
}

module.exports = { patientsService, JsonLinesSpanExporter, announce };
