// A GCE/Cloud Run metadata server on loopback that speaks the real protocol
// (what gcp-metadata and google-auth-library check): the request must carry
// `Metadata-Flavor: Google` (else 403, like the real one), every answer carries
// it back, and the identity endpoint returns a JWT signed by a loopback issuer.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAccessTokenRegistry, parseScopes, type AccessTokenInfo } from './access-tokens.js';
import { metadataEnv, type EnvPatch } from './env.js';
import type { Issuer } from './issuer.js';

/**
 * - `normal`: tokens as a real metadata server hands them out
 * - `down`: the port is closed (connection refused) until another mode is set
 * - `unavailable`: every request gets 503
 * - `slow`: like `normal`, answered after `delayMs`
 * - `garbage`: identity answers 200 with a body that is not a JWT
 * - `wrong-flavor`: answers without the `Metadata-Flavor: Google` response header
 * - `expired`: identity answers with tokens whose `exp` is already past; access
 *   tokens are answered normally but registered as expired (the API refuses them)
 */
export type MetadataMode = 'normal' | 'down' | 'unavailable' | 'slow' | 'garbage' | 'wrong-flavor' | 'expired';

export interface FakeMetadataServerOptions {
  issuer: Issuer;
  /** Lifetime of the tokens handed out. @default 3600 */
  lifetimeSeconds?: number;
  /** Delay before answering in `slow` mode. @default 5000 */
  delayMs?: number;
  /** @default 'normal' */
  mode?: MetadataMode;
  /** @default 'tracehop-test' */
  projectId?: string;
  /** `email` (and `sub`) of the default service account. @default 'exporter@<projectId>.iam.gserviceaccount.com' */
  serviceAccountEmail?: string;
  /** `expires_in` of the access tokens handed out (Google's metadata server answers ~3599). @default 3599 */
  accessTokenLifetimeSeconds?: number;
}

export interface FakeMetadataServer {
  /** `127.0.0.1:<port>`, what `GCE_METADATA_HOST` takes. */
  readonly host: string;
  readonly port: number;
  readonly mode: MetadataMode;
  /** Switches behaviour at runtime; `down` closes the port, leaving it reopens the same port. */
  setMode(mode: MetadataMode, settings?: { delayMs?: number }): Promise<void>;
  /** Lifetime of tokens handed out from now on. */
  setLifetime(seconds: number): void;
  /** Identity requests received (in any mode that accepts connections), for one audience or all. */
  fetchCount(audience?: string): number;
  resetCounts(): void;
  /** Every token handed out, oldest first. */
  readonly issued: string[];
  /** The default service account's email (what its tokens belong to). */
  readonly serviceAccountEmail: string;
  /** The project ID it answers. */
  readonly projectId: string;
  /** Access-token requests received (`.../service-accounts/default/token`, any mode that accepts connections). */
  accessTokenFetchCount(): number;
  /** What a Google API knows about a bearer token this server handed out; undefined for any other string. */
  accessTokenInfo(token: string): AccessTokenInfo | undefined;
  /** Every access token handed out so far is refused from now on (as after a revocation). */
  revokeAccessTokens(): void;
  /** `expires_in` of access tokens handed out from now on. */
  setAccessTokenLifetime(seconds: number): void;
  /** Every access token handed out, oldest first. */
  readonly issuedAccessTokens: readonly string[];
  /** Env vars that point google-auth-library at this server and away from local credentials. */
  env(): EnvPatch;
  close(): Promise<void>;
}

const IDENTITY_PATH = '/computeMetadata/v1/instance/service-accounts/default/identity';
const TOKEN_PATH = '/computeMetadata/v1/instance/service-accounts/default/token';

export async function startFakeMetadataServer(options: FakeMetadataServerOptions): Promise<FakeMetadataServer> {
  const { issuer } = options;
  const projectId = options.projectId ?? 'tracehop-test';
  const email = options.serviceAccountEmail ?? `exporter@${projectId}.iam.gserviceaccount.com`;
  let lifetimeSeconds = options.lifetimeSeconds ?? 3600;
  let delayMs = options.delayMs ?? 5000;
  let mode: MetadataMode = options.mode ?? 'normal';
  const counts = new Map<string, number>();
  const issued: string[] = [];
  let tempHome: string | undefined;
  const accessTokens = createAccessTokenRegistry(email);
  let accessTokenLifetimeSeconds = options.accessTokenLifetimeSeconds ?? 3599;
  let accessTokenFetches = 0;

  function mint(audience: string): string {
    const now = Math.floor(Date.now() / 1000);
    const iat = mode === 'expired' ? now - lifetimeSeconds - 60 : now;
    const token = issuer.sign({ aud: audience, azp: email, email, email_verified: true, iat, exp: iat + lifetimeSeconds, sub: email });
    issued.push(token);
    return token;
  }

  function respond(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://metadata.google.internal');
    const flavorHeaders: Record<string, string> = mode === 'wrong-flavor' ? {} : { 'Metadata-Flavor': 'Google' };
    const send = (status: number, body: string, type = 'application/text'): void => {
      response.writeHead(status, { ...flavorHeaders, 'Content-Type': type }).end(body);
    };
    if (request.headers['metadata-flavor'] !== 'Google') {
      send(403, 'Missing Metadata-Flavor:Google header.');
      return;
    }
    if (url.pathname === IDENTITY_PATH) {
      const audience = url.searchParams.get('audience') ?? '';
      counts.set(audience, (counts.get(audience) ?? 0) + 1);
      if (mode === 'unavailable') return send(503, 'Service Unavailable');
      if (!audience) return send(400, 'non-empty audience parameter required');
      if (mode === 'garbage') return send(200, '<html>not a token</html>', 'text/html');
      return send(200, mint(audience));
    }
    if (url.pathname === TOKEN_PATH) {
      accessTokenFetches++;
      if (mode === 'unavailable') return send(503, 'Service Unavailable');
      if (mode === 'garbage') return send(200, '<html>not a token</html>', 'text/html');
      const answer = accessTokens.mint(parseScopes(url.searchParams.get('scopes')), accessTokenLifetimeSeconds, mode === 'expired');
      return send(200, JSON.stringify(answer), 'application/json');
    }
    if (mode === 'unavailable') return send(503, 'Service Unavailable');
    switch (url.pathname) {
      case '/':
      case '/computeMetadata/v1':
      case '/computeMetadata/v1/':
        return send(200, 'computeMetadata/\n');
      case '/computeMetadata/v1/instance':
      case '/computeMetadata/v1/instance/':
        return send(200, 'attributes/\nhostname\nid\nservice-accounts/\nzone\n');
      case '/computeMetadata/v1/project/project-id':
        return send(200, projectId);
      case '/computeMetadata/v1/project/numeric-project-id':
        return send(200, '123456789012');
      case '/computeMetadata/v1/instance/service-accounts/default/email':
        return send(200, email);
      default:
        return send(404, 'Not Found');
    }
  }

  const server = createServer((request, response) => {
    if (mode === 'slow') setTimeout(() => respond(request, response), delayMs).unref();
    else respond(request, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  async function closePort(): Promise<void> {
    if (!server.listening) return;
    const closed = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await closed;
  }

  return {
    host: `127.0.0.1:${port}`,
    port,
    get mode() {
      return mode;
    },
    async setMode(next, settings = {}) {
      if (settings.delayMs !== undefined) delayMs = settings.delayMs;
      mode = next;
      if (next === 'down') return closePort();
      if (!server.listening) {
        server.listen(port, '127.0.0.1');
        await once(server, 'listening');
      }
    },
    setLifetime(seconds) {
      lifetimeSeconds = seconds;
    },
    serviceAccountEmail: email,
    projectId,
    accessTokenFetchCount: () => accessTokenFetches,
    accessTokenInfo: (token) => accessTokens.info(token),
    revokeAccessTokens: () => accessTokens.revokeAll(),
    setAccessTokenLifetime(seconds) {
      accessTokenLifetimeSeconds = seconds;
    },
    issuedAccessTokens: accessTokens.issued,
    fetchCount: (audience) => (audience === undefined ? [...counts.values()].reduce((a, b) => a + b, 0) : (counts.get(audience) ?? 0)),
    resetCounts: () => {
      counts.clear();
      accessTokenFetches = 0;
    },
    issued,
    env() {
      const patch = metadataEnv(`127.0.0.1:${port}`, projectId, tempHome);
      tempHome = patch.HOME;
      return patch;
    },
    close: closePort,
  };
}
