// A Node gRPC backend as a tenant-aware service writes it: tracehop's server
// interceptor first, pino with the trace mixin, and onward calls through the
// tracehop client interceptor.
import * as grpc from '@grpc/grpc-js';
import { loadEcho, type EchoMessage } from '@tracehop/fixture-proto';
import { createClientInterceptor, createServerInterceptor } from '@tracehop/grpc';
import { observeHandler, parseEchoRequest, type EchoRequest, type HandlerObservation } from './echo-reply.js';
import type { ServiceTelemetry } from './telemetry.js';

const { Echo, service } = loadEcho(grpc);

export interface NodeBackend {
  readonly address: string;
  stop(): Promise<void>;
}

/** Options for {@link startNodeBackend}. */
export interface NodeBackendOptions {
  /**
   * Milliseconds `Say` waits before it answers (or forwards) a request: slow
   * requests for tail-sampling tests.
   * @default () => 0
   */
  delayMs?: (request: EchoRequest) => number;
}

export async function startNodeBackend(telemetry: ServiceTelemetry, options: NodeBackendOptions = {}): Promise<NodeBackend> {
  const { logger, provider } = telemetry;
  const onwardClients = new Map<string, InstanceType<typeof Echo>>();
  const onward = (target: string) => {
    let client = onwardClients.get(target);
    if (!client) {
      client = new Echo(target, grpc.credentials.createInsecure(), {
        interceptors: [createClientInterceptor({ tracerProvider: provider, target })],
      });
      onwardClients.set(target, client);
    }
    return client;
  };

  const server = new grpc.Server({ interceptors: [createServerInterceptor({ tracerProvider: provider })] });
  server.addService(service, {
    async Say(call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
      const request = parseEchoRequest(call.request.value);
      const delay = options.delayMs?.(request) ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      logger.info({ method: 'Say' }, 'loading patient record');
      if (request.fail) {
        logger.error({ method: 'Say' }, 'patient record store unavailable');
        callback({ code: grpc.status.INTERNAL, details: 'backend failure' }, null);
        return;
      }
      if (!request.forwardTo) {
        callback(null, { value: JSON.stringify(observeHandler(telemetry.serviceName)) });
        return;
      }
      const { forwardTo, ...rest } = request;
      onward(forwardTo).say({ value: JSON.stringify(rest) }, (error, reply) => {
        if (error) return callback(error, null);
        const downstream = JSON.parse(reply!.value) as HandlerObservation;
        callback(null, { value: JSON.stringify(observeHandler(telemetry.serviceName, downstream)) });
      });
    },
    async Stream(call: grpc.ServerWritableStream<EchoMessage, EchoMessage>) {
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        logger.info({ method: 'Stream', reading: i }, 'vital sign reading');
        call.write({ value: JSON.stringify(observeHandler(telemetry.serviceName)) });
      }
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    async stop() {
      for (const client of onwardClients.values()) client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}
