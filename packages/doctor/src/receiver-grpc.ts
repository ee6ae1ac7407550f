// OTLP/gRPC receiver on loopback: TraceService/Export, decoded with the same
// protobuf types as the HTTP receiver.
import * as grpc from '@grpc/grpc-js';
import { MAX_BODY_BYTES } from './defaults.js';
import { decodeTraceRequest, encodeTraceResponse } from './otlp-proto.js';
import { spansFromExportRequest } from './otlp-spans.js';
import type { SpanStore } from './span-store.js';

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const identity = (value: Buffer) => value;

export interface GrpcReceiver {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the receiver on 127.0.0.1:`port` (0 picks one). */
export async function startGrpcReceiver(store: SpanStore, port = 0): Promise<GrpcReceiver> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_BODY_BYTES });
  const definition: grpc.ServiceDefinition = {
    Export: {
      path: EXPORT_PATH,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
  server.addService(definition, {
    // Raw bytes in, so a malformed export is counted here instead of failing inside grpc-js.
    Export(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      try {
        store.add(spansFromExportRequest(decodeTraceRequest(call.request)));
        callback(null, Buffer.from(encodeTraceResponse()));
      } catch {
        store.malformed++;
        callback({ code: grpc.status.INVALID_ARGUMENT, details: 'malformed OTLP export' }, null);
      }
    },
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
  );
  return {
    port: bound,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
