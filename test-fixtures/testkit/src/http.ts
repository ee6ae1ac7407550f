import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpHandle {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1:0. `handler` is typed `object`, not
 * `RequestListener`: contextual typing would otherwise make Yoga infer Node's
 * request as its server context.
 */
export async function listen(handler: object, path = '/'): Promise<HttpHandle> {
  const server = createServer(handler as RequestListener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
