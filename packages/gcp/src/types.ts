/** What mints ID tokens; `GoogleAuth#getClient()` returns one on Cloud Run, GCE, GKE, and with a service-account key. */
export interface IdTokenProvider {
  fetchIdToken(audience: string): Promise<string>;
}

/** The part of google-auth-library's `GoogleAuth` this package uses (so a configured instance can be passed in). */
export interface GoogleAuthLike {
  getClient(): Promise<unknown>;
}

export interface GoogleIdTokenSourceOptions {
  /**
   * The token's audience: the receiving Cloud Run service's URL, e.g.
   * `https://collector-abc123-ew.a.run.app` (no path). Required.
   */
  audience: string;
  /**
   * Longest time an export waits for a token when none is usable yet (first
   * export, or after expiry during an outage). After it, the export goes out
   * without one and fails as unauthorized. Never applies once a token exists:
   * refreshes happen in the background.
   * @default 2000
   */
  maxWaitMs?: number;
  /**
   * A fetch (metadata request, including google-auth-library's own retries)
   * that takes longer than this counts as failed, so a stalled metadata server
   * cannot block the single flight forever (on GCP the library sets no timeout).
   * @default 10000
   */
  fetchTimeoutMs?: number;
  /**
   * Refresh this long before `exp` (at most half the token's lifetime). Google
   * ID tokens live 1 hour. Also, a token is not used in its last 30 s (or last
   * quarter of its lifetime, if shorter), so it does not expire in flight.
   * @default 300
   */
  refreshBeforeExpirySeconds?: number;
  /** First delay before retrying after a failed fetch; doubles per failure. @default 1000 */
  retryMinMs?: number;
  /** Longest delay between retries while fetches keep failing. @default 60000 */
  retryMaxMs?: number;
  /**
   * Fetch the first token at creation, so the first export finds it ready.
   * @default true
   */
  prefetch?: boolean;
  /**
   * A configured google-auth-library `GoogleAuth` (e.g. with `keyFile` for local
   * runs). Without it, `new GoogleAuth()` (Application Default Credentials) from
   * a lazily imported `google-auth-library`.
   * @default new GoogleAuth()
   */
  auth?: GoogleAuthLike;
  /** Replaces google-auth-library entirely: returns a compact JWT for the audience. @default undefined */
  fetchIdToken?: (audience: string) => Promise<string>;
  /** Aborting it stops background refresh, like `shutdown()`. @default undefined */
  signal?: AbortSignal;
}

/** A cached, single-flight, background-refreshed ID token for one audience. */
export interface GoogleIdTokenSource {
  readonly audience: string;
  /**
   * A usable token, or `undefined` when none could be had within `maxWaitMs`.
   * Never rejects.
   */
  getToken(): Promise<string | undefined>;
  /** Stops background refresh and fetching; a still-valid token is still served. Idempotent. */
  shutdown(): void;
}

/** Where the token goes. `X-Serverless-Authorization` leaves `Authorization` to the receiving app; Cloud Run accepts either. */
export type IdTokenHeaderName = 'Authorization' | 'X-Serverless-Authorization';

/** Either the options of a new token source or an existing one to share (e.g. between the HTTP and gRPC exporters). */
export type TokenSourceChoice = GoogleIdTokenSourceOptions | { source: GoogleIdTokenSource };

export type GoogleIdTokenHeadersOptions = TokenSourceChoice & {
  /** @default 'Authorization' */
  header?: IdTokenHeaderName;
};

/** An OTLP http/proto exporter `headers` factory, with the token source behind it. */
export interface GoogleIdTokenHeadersFactory {
  (): Promise<Record<string, string>>;
  readonly source: GoogleIdTokenSource;
  /** Stops the source's background refresh (also when it was passed in as `source`). */
  shutdown(): void;
}
