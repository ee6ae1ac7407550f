// One token per audience, fetched once per lifetime whatever the concurrency
// (single flight), refreshed ahead of expiry on an unref'd timer so exports
// never wait once a token exists, and failing soft: a bounded wait, then no
// token, one warning per failure streak, retries with backoff in the background.
import { diag } from '@opentelemetry/api';
import { googleAuthFetcher } from './google-auth-fetcher.js';
import { readJwtExpiryMs } from './jwt-expiry.js';
import { checkTokenSourceOptions } from './token-options.js';
import type { GoogleIdTokenSource, GoogleIdTokenSourceOptions } from './types.js';

const log = diag.createComponentLogger({ namespace: '@tracehop/gcp' });
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration option (checked ≥ 0), or its default; capped where setTimeout would overflow (and fire at once). */
function durationMs(value: number | undefined, fallback: number): number {
  return Math.min(value ?? fallback, MAX_TIMER_MS);
}

interface HeldToken {
  token: string;
  expiresAt: number;
  usableUntil: number;
  refreshAt: number;
}

/**
 * A cached, single-flight, background-refreshed ID token for one audience.
 * Options that cannot work throw a `TypeError` naming the option, here.
 */
export function createGoogleIdTokenSource(options: GoogleIdTokenSourceOptions): GoogleIdTokenSource {
  checkTokenSourceOptions('createGoogleIdTokenSource', options);
  return createTokenSource(options);
}

/** {@link createGoogleIdTokenSource} with options already checked (by the factory that shares it). */
export function createTokenSource(options: GoogleIdTokenSourceOptions): GoogleIdTokenSource {
  const { audience } = options;
  const maxWaitMs = durationMs(options.maxWaitMs, 2000);
  const fetchTimeoutMs = durationMs(options.fetchTimeoutMs, 10_000);
  const refreshBeforeExpiryMs = durationMs((options.refreshBeforeExpirySeconds ?? 300) * 1000, 300_000);
  const retryMinMs = durationMs(options.retryMinMs, 1000);
  const retryMaxMs = durationMs(options.retryMaxMs, 60_000);
  const fetchIdToken = options.fetchIdToken ?? googleAuthFetcher(options.auth);

  let held: HeldToken | undefined;
  let inflight: Promise<void> | undefined;
  let consecutiveFailures = 0;
  let staleAnswers = 0;
  /** Until then, no fetch on demand: after a failure (backoff) or an answer that brought nothing new. */
  let nextFetchAt = 0;
  let inFailureStreak = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const backoffMs = (attempt: number): number => Math.min(retryMaxMs, retryMinMs * 2 ** Math.min(attempt - 1, 30));

  function schedule(at: number): void {
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(() => void refresh(), Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())));
    timer.unref();
  }

  /** Warns once per streak; the rest of the streak goes to debug. */
  function reportFailure(message: string): void {
    if (inFailureStreak) return log.debug(message);
    inFailureStreak = true;
    const consequence =
      usableToken() === undefined
        ? `exports to ${audience} go without an ID token (and fail as unauthorized) until a fetch succeeds`
        : `the current token is used until ${new Date(held!.usableUntil).toISOString()}; after that, exports to ${audience} go without one (and fail as unauthorized) unless a retry succeeds`;
    log.warn(`${message}; ${consequence}`);
  }

  function accept(token: string): void {
    const expiresAt = readJwtExpiryMs(token);
    if (expiresAt === undefined) return reject(new Error('the answer is not a JWT with an exp claim'));
    const now = Date.now();
    const lifetime = expiresAt - now;
    const usableUntil = expiresAt - Math.min(30_000, lifetime / 4);
    if (usableUntil <= now) return reject(new Error(`the token expired at ${new Date(expiresAt).toISOString()}`));
    if (held && expiresAt <= held.expiresAt) {
      // The server handed back the token we hold (a metadata server may cache
      // it too): ask again later with backoff, or the halving refresh point
      // would make us fetch ever faster as exp nears.
      staleAnswers += 1;
      nextFetchAt = now + backoffMs(staleAnswers);
      return schedule(nextFetchAt);
    }
    staleAnswers = 0;
    held = { token, expiresAt, usableUntil, refreshAt: expiresAt - Math.min(refreshBeforeExpiryMs, lifetime / 2) };
    consecutiveFailures = 0;
    nextFetchAt = 0;
    if (inFailureStreak) log.info(`ID token for ${audience} obtained again`);
    inFailureStreak = false;
    schedule(held.refreshAt);
  }

  function reject(error: unknown): void {
    consecutiveFailures += 1;
    const delay = backoffMs(consecutiveFailures);
    nextFetchAt = Date.now() + delay;
    reportFailure(`could not get an ID token for ${audience}: ${error instanceof Error ? error.message : String(error)}`);
    schedule(nextFetchAt);
  }

  function fetchWithDeadline(): Promise<string> {
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, fail) => {
      deadline = setTimeout(() => fail(new Error(`no answer within ${fetchTimeoutMs} ms`)), fetchTimeoutMs);
      deadline.unref();
    });
    // A user-supplied fetcher may throw synchronously; it becomes a rejection here.
    const fetched = Promise.resolve().then(() => fetchIdToken(audience));
    return Promise.race([fetched, timedOut]).finally(() => clearTimeout(deadline));
  }

  /** Single flight: every caller during a fetch shares it. */
  function refresh(): Promise<void> {
    if (stopped) return Promise.resolve();
    inflight ??= fetchWithDeadline()
      .then(accept, reject)
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  function usableToken(): string | undefined {
    return held && Date.now() < held.usableUntil ? held.token : undefined;
  }

  async function getToken(): Promise<string | undefined> {
    const now = Date.now();
    const token = usableToken();
    if (token !== undefined) {
      // The timer normally refreshes; this covers a timer starved by CPU throttling.
      if (now >= held!.refreshAt && now >= nextFetchAt) void refresh();
      return token;
    }
    if (stopped) return undefined;
    if (!inflight && now < nextFetchAt) {
      reportFailure(`no usable ID token for ${audience} (next fetch in ${nextFetchAt - now} ms)`);
      return undefined;
    }
    let waitTimer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      waitTimer = setTimeout(resolve, maxWaitMs);
    });
    await Promise.race([refresh(), waited]).finally(() => clearTimeout(waitTimer));
    const fetched = usableToken();
    if (fetched === undefined && inflight) reportFailure(`no ID token for ${audience} within ${maxWaitMs} ms`);
    return fetched;
  }

  function shutdown(): void {
    stopped = true;
    clearTimeout(timer);
  }

  if (options.signal?.aborted) shutdown();
  options.signal?.addEventListener('abort', shutdown, { once: true });
  if (options.prefetch !== false) void refresh();

  return { audience, getToken, shutdown };
}
