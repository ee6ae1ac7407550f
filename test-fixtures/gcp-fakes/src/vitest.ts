// For vitest files only (it registers hooks): one fake metadata server for the
// whole file, with google-auth-library pointed at it and the environment
// restored afterwards. Kept out of the main entry, which runs outside vitest too.
import { afterAll, beforeAll } from 'vitest';
import { applyEnv } from './env.js';
import { startFakeMetadataServer, type FakeMetadataServer, type FakeMetadataServerOptions } from './metadata-server.js';

/** The file's fake metadata server; `server` is there from `beforeAll` on. */
export interface FakeMetadataServerForFile {
  readonly server: FakeMetadataServer;
}

export function useFakeMetadataServer(options: FakeMetadataServerOptions): FakeMetadataServerForFile {
  let server: FakeMetadataServer | undefined;
  let restoreEnv = (): void => undefined;
  beforeAll(async () => {
    server = await startFakeMetadataServer(options);
    restoreEnv = applyEnv(server.env());
  });
  afterAll(async () => {
    restoreEnv();
    await server?.close();
  });
  return {
    get server(): FakeMetadataServer {
      if (!server) throw new Error('the fake metadata server starts in beforeAll; use it inside a test or hook');
      return server;
    },
  };
}
