import * as grpc from '@grpc/grpc-js';

export interface RunningGrpcServer {
  /** `127.0.0.1:<port>` */
  readonly address: string;
  readonly server: grpc.Server;
  stop(): Promise<void>;
}

/** A real grpc-js server with `service` on 127.0.0.1:0 (insecure). */
export async function startGrpcServer(
  service: grpc.ServiceDefinition,
  implementation: grpc.UntypedServiceImplementation,
  options: grpc.ServerOptions = {},
): Promise<RunningGrpcServer> {
  const server = new grpc.Server(options);
  server.addService(service, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    address: `127.0.0.1:${port}`,
    server,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
