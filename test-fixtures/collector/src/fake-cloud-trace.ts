// A loopback Cloud Trace: grpc-js serving google.devtools.cloudtrace.v2
// TraceService from the real proto (google-proto-files), recording every span
// the collector's googlecloud exporter writes with BatchWriteSpans.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** One Cloud Trace v2 span as received, field names as in the proto (the fields the tests read). */
export interface CloudTraceSpan {
  /** `projects/<project>/traces/<trace id>/spans/<span id>` */
  name: string;
  span_id: string;
  parent_span_id?: string;
  display_name: { value: string };
  attributes?: { attribute_map?: Record<string, { string_value?: { value: string }; int_value?: string; bool_value?: boolean }> };
  status?: { code: number; message: string };
}

export interface FakeCloudTrace {
  /** `127.0.0.1:<port>`, for the exporter's `trace.endpoint`. */
  readonly address: string;
  /** Every span written so far. */
  readonly spans: CloudTraceSpan[];
  /** The `name` of every BatchWriteSpans request (`projects/<project>`). */
  readonly requests: string[];
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
const protoRoot = dirname(require.resolve('google-proto-files/package.json'));

interface TraceServicePackage {
  google: { devtools: { cloudtrace: { v2: { TraceService: grpc.ServiceClientConstructor } } } };
}

export async function startFakeCloudTrace(): Promise<FakeCloudTrace> {
  const definition = loadSync('google/devtools/cloudtrace/v2/tracing.proto', {
    includeDirs: [protoRoot],
    keepCase: true,
    longs: String,
    enums: Number,
    defaults: false,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as TraceServicePackage;
  const spans: CloudTraceSpan[] = [];
  const requests: string[] = [];
  const server = new grpc.Server();
  server.addService(loaded.google.devtools.cloudtrace.v2.TraceService.service, {
    BatchWriteSpans(call: grpc.ServerUnaryCall<{ name: string; spans: CloudTraceSpan[] }, object>, callback: grpc.sendUnaryData<object>) {
      requests.push(call.request.name);
      spans.push(...call.request.spans);
      callback(null, {});
    },
    CreateSpan(call: grpc.ServerUnaryCall<CloudTraceSpan, CloudTraceSpan>, callback: grpc.sendUnaryData<CloudTraceSpan>) {
      spans.push(call.request);
      callback(null, call.request);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    address: `127.0.0.1:${port}`,
    spans,
    requests,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
