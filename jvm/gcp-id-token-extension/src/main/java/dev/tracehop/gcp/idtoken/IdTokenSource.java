package dev.tracehop.gcp.idtoken;

import java.util.Collections;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One Google ID token for one audience, the rules of {@code @tracehop/gcp}'s token source in Java:
 *
 * <ul>
 *   <li>single flight: one fetch at a time, every caller during a fetch shares it, so one fetch
 *       per token lifetime whatever the number of exporting threads;
 *   <li>refreshed in the background ahead of {@code exp} (the schedule is ours, read from the
 *       token: google-auth-library treats a token with less than 5 minutes left as expired and
 *       would fetch on every export with short-lived tokens);
 *   <li>an export never waits for a token longer than {@code maxWait}, and only when no usable
 *       token is held (a fetch still running then goes on in the background);
 *   <li>never throws into the exporter: no token means an export without the header (the
 *       collector or Cloud Run answers 401), one warning per failure streak, retries with
 *       exponential backoff, an info line when a token is obtained again.
 * </ul>
 *
 * <p>Schedule for a token with lifetime {@code L = exp - now} at receipt: it is used until {@code
 * exp - min(30 s, L/4)} and refreshed from {@code exp - min(refreshBeforeExpiry, L/2)}. A one-hour
 * token from the metadata server is refreshed 5 minutes before {@code exp} (one fetch per ~55
 * minutes); an 8 s test token at half its life.
 */
final class IdTokenSource {
  /** Fetches one token (a compact JWT); may block, may throw. Called on the fetch thread only. */
  interface Fetcher {
    String fetch() throws Exception;
  }

  private static final Logger logger = Logger.getLogger(IdTokenSource.class.getName());

  private final String audience;
  private final String headerName;
  private final Fetcher fetcher;
  private final long maxWaitMs;
  private final long fetchTimeoutMs;
  private final long refreshBeforeExpiryMs;
  private final long retryMinMs;
  private final long retryMaxMs;
  private final LongSupplier clock;
  /** The refresh schedule and the fetch deadlines. */
  private final ScheduledExecutorService timers;
  /** The blocking metadata request; one thread, so never two fetches at once. */
  private final ExecutorService fetchThread;

  private final Object lock = new Object();
  // Everything below is guarded by lock.
  private Held held;
  private CompletableFuture<Void> inflight;
  private int consecutiveFailures;
  private int staleAnswers;
  /** Until then no fetch on demand: after a failure (backoff) or an answer that brought nothing new. */
  private long nextFetchAt;
  private boolean inFailureStreak;
  private ScheduledFuture<?> timer;
  private boolean stopped;

  private static final class Held {
    final String token;
    final long expiresAt;
    final long usableUntil;
    final long refreshAt;

    Held(String token, long expiresAt, long usableUntil, long refreshAt) {
      this.token = token;
      this.expiresAt = expiresAt;
      this.usableUntil = usableUntil;
      this.refreshAt = refreshAt;
    }
  }

  IdTokenSource(IdTokenSettings settings, Fetcher fetcher, LongSupplier clock) {
    this.audience = settings.audience;
    this.headerName = settings.headerName;
    this.fetcher = fetcher;
    this.maxWaitMs = settings.maxWaitMs;
    this.fetchTimeoutMs = settings.fetchTimeoutMs;
    this.refreshBeforeExpiryMs = settings.refreshBeforeExpiryMs;
    this.retryMinMs = settings.retryMinMs;
    this.retryMaxMs = settings.retryMaxMs;
    this.clock = clock;
    this.timers = Executors.newSingleThreadScheduledExecutor(daemon("tracehop-gcp-id-token-timer"));
    this.fetchThread = Executors.newSingleThreadExecutor(daemon("tracehop-gcp-id-token-fetch"));
  }

  /** Starts the first fetch in the background, so the first export finds a token. */
  void prefetch() {
    synchronized (lock) {
      refreshLocked();
    }
  }

  /**
   * The exporter's header supplier: {@code {<header>: "Bearer <token>"}}, or an empty map when no
   * usable token could be had within {@code maxWait}. Never throws.
   */
  Map<String, String> headers() {
    try {
      String token = getToken();
      return token == null
          ? Collections.<String, String>emptyMap()
          : Collections.singletonMap(headerName, "Bearer " + token);
    } catch (RuntimeException e) {
      // Not expected; still, an exception here would fail the export, not just its auth.
      logger.log(Level.WARNING, "unexpected error while getting an ID token for " + audience, e);
      return Collections.emptyMap();
    }
  }

  /** A usable token, waiting at most {@code maxWait} for a fetch when none is held; else null. */
  String getToken() {
    CompletableFuture<Void> fetching;
    synchronized (lock) {
      long now = clock.getAsLong();
      String token = usableToken(now);
      if (token != null) {
        // The timer normally refreshes; this covers a timer that fired late.
        if (now >= held.refreshAt && now >= nextFetchAt) refreshLocked();
        return token;
      }
      if (stopped) return null;
      if (inflight == null && now < nextFetchAt) {
        reportFailure(
            "no usable ID token for " + audience + " (next fetch in " + (nextFetchAt - now) + " ms)");
        return null;
      }
      fetching = refreshLocked();
    }
    try {
      fetching.get(maxWaitMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // The outcome is read below; a fetch still running goes on in the background.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (lock) {
      String token = usableToken(clock.getAsLong());
      if (token == null && inflight != null) {
        reportFailure("no ID token for " + audience + " within " + maxWaitMs + " ms");
      }
      return token;
    }
  }

  /** Stops the timers; later calls get no token. */
  void shutdown() {
    synchronized (lock) {
      stopped = true;
      if (timer != null) timer.cancel(false);
    }
    timers.shutdownNow();
    fetchThread.shutdownNow();
  }

  private String usableToken(long now) {
    return held != null && now < held.usableUntil ? held.token : null;
  }

  /** Single flight: returns the running fetch, or starts one. Caller holds the lock. */
  private CompletableFuture<Void> refreshLocked() {
    if (stopped) return CompletableFuture.completedFuture(null);
    if (inflight != null) return inflight;
    CompletableFuture<Void> attempt = new CompletableFuture<>();
    inflight = attempt;
    try {
      fetchThread.execute(
          () -> {
            String token;
            try {
              token = fetcher.fetch();
            } catch (Exception | LinkageError e) {
              settle(attempt, null, e);
              return;
            }
            settle(attempt, token, null);
          });
      timers.schedule(
          () ->
              settle(
                  attempt,
                  null,
                  new TimeoutException("no answer within " + fetchTimeoutMs + " ms")),
          fetchTimeoutMs,
          TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) { // RejectedExecutionException after shutdown
      inflight = null;
      attempt.complete(null);
    }
    return attempt;
  }

  /**
   * The first outcome of an attempt wins (answer, error or deadline); a late answer of an attempt
   * that timed out is dropped, as in the Node token source.
   */
  private void settle(CompletableFuture<Void> attempt, String token, Throwable error) {
    synchronized (lock) {
      if (inflight != attempt) return;
      inflight = null;
      if (!stopped) {
        if (error == null) accept(token);
        else reject(describe(error));
      }
    }
    attempt.complete(null);
  }

  private void accept(String token) {
    Long expiresAt = JwtClaims.expiryMillis(token);
    if (expiresAt == null) {
      reject("the answer is not a JWT with an exp claim");
      return;
    }
    long now = clock.getAsLong();
    long lifetime = expiresAt - now;
    long usableUntil = expiresAt - Math.min(30_000L, lifetime / 4);
    if (usableUntil <= now) {
      reject("the token expired at " + java.time.Instant.ofEpochMilli(expiresAt));
      return;
    }
    if (held != null && expiresAt <= held.expiresAt) {
      // The server handed back the token we hold (a metadata server may cache it too): ask again
      // later with backoff, or the halving refresh point would make us fetch ever faster.
      staleAnswers++;
      nextFetchAt = now + backoffMs(staleAnswers);
      schedule(nextFetchAt);
      return;
    }
    staleAnswers = 0;
    held =
        new Held(
            token,
            expiresAt,
            usableUntil,
            expiresAt - Math.min(refreshBeforeExpiryMs, lifetime / 2));
    consecutiveFailures = 0;
    nextFetchAt = 0;
    if (inFailureStreak) logger.info("ID token for " + audience + " obtained again");
    inFailureStreak = false;
    if (logger.isLoggable(Level.FINE)) {
      logger.fine(
          "ID token for "
              + audience
              + " expires "
              + java.time.Instant.ofEpochMilli(expiresAt)
              + ", refresh from "
              + java.time.Instant.ofEpochMilli(held.refreshAt));
    }
    schedule(held.refreshAt);
  }

  private void reject(String reason) {
    consecutiveFailures++;
    nextFetchAt = clock.getAsLong() + backoffMs(consecutiveFailures);
    reportFailure("could not get an ID token for " + audience + ": " + reason);
    schedule(nextFetchAt);
  }

  /** Warns once per streak; the rest of the streak goes to the debug level. */
  private void reportFailure(String message) {
    if (inFailureStreak) {
      logger.fine(message);
      return;
    }
    inFailureStreak = true;
    String consequence =
        usableToken(clock.getAsLong()) == null
            ? "exports to "
                + audience
                + " go without an ID token (and fail as unauthorized) until a fetch succeeds"
            : "the current token is used until "
                + java.time.Instant.ofEpochMilli(held.usableUntil)
                + "; after that, exports to "
                + audience
                + " go without one (and fail as unauthorized) unless a retry succeeds";
    logger.warning(message + "; " + consequence);
  }

  private void schedule(long at) {
    if (timer != null) timer.cancel(false);
    if (stopped) return;
    long delay = Math.max(0, at - clock.getAsLong());
    try {
      timer =
          timers.schedule(
              () -> {
                synchronized (lock) {
                  refreshLocked();
                }
              },
              delay,
              TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) { // RejectedExecutionException after shutdown
      timer = null;
    }
  }

  private long backoffMs(int attempt) {
    long factor = 1L << Math.min(attempt - 1, 30);
    return Math.min(retryMaxMs, retryMinMs * factor);
  }

  private static String describe(Throwable error) {
    String message = error.getMessage();
    String type = error.getClass().getSimpleName();
    if (message == null || message.isEmpty()) return type;
    // The library's messages can carry a whole response body; one line is enough for a log.
    String firstLine = message.split("\\R", 2)[0];
    if (firstLine.length() > 300) firstLine = firstLine.substring(0, 300) + "...";
    return error instanceof TimeoutException ? firstLine : type + ": " + firstLine;
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
