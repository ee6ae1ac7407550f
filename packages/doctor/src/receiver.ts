// The doctor's OTLP receiver: HTTP (protobuf and JSON) and, optionally, gRPC,
// both on loopback, feeding one bounded span store.
import { startGrpcReceiver, type GrpcReceiver } from './receiver-grpc.js';
import { startHttpReceiver, type HttpReceiver } from './receiver-http.js';
import { DEFAULTS } from './defaults.js';
import { SpanStore } from './span-store.js';

/** Options for {@link startReceiver}. */
export interface ReceiverOptions {
  /**
   * OTLP/HTTP port on 127.0.0.1; 0 picks a free one.
   * @default 4318
   */
  port?: number;
  /**
   * OTLP/gRPC port on 127.0.0.1; 0 picks a free one; `undefined` starts no gRPC receiver.
   * @default undefined
   */
  grpcPort?: number | undefined;
  /**
   * Span cap (see {@link SpanStore}).
   * @default 50000
   */
  maxSpans?: number;
}

/** A running receiver. */
export interface Receiver {
  readonly store: SpanStore;
  /** `http://127.0.0.1:<port>`: OTEL_EXPORTER_OTLP_ENDPOINT for http/protobuf or http/json exporters. */
  readonly endpoint: string;
  /** `http://127.0.0.1:<port>` of the gRPC receiver, when started. */
  readonly grpcEndpoint?: string | undefined;
  close(): Promise<void>;
}

/** Starts the receiver(s). Rejects when a port is taken. */
export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const store = new SpanStore(options.maxSpans === undefined ? {} : { maxSpans: options.maxSpans });
  const http: HttpReceiver = await startHttpReceiver(store, options.port ?? DEFAULTS.otlpPort);
  let grpc: GrpcReceiver | undefined;
  try {
    if (options.grpcPort !== undefined) grpc = await startGrpcReceiver(store, options.grpcPort);
  } catch (error) {
    await http.close();
    throw error;
  }
  return {
    store,
    endpoint: http.endpoint,
    grpcEndpoint: grpc ? `http://127.0.0.1:${grpc.port}` : undefined,
    async close() {
      await Promise.all([http.close(), grpc?.close()]);
    },
  };
}
