package dev.tracehop.gcp.idtoken;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import java.time.Duration;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * The extension's configuration, read once from the agent's properties (system properties, or the
 * environment variables they map to: {@code OTEL_EXPORTER_OTLP_GOOGLE_ID_TOKEN_AUDIENCE} for
 * {@code otel.exporter.otlp.google-id-token.audience}, and so on). A value that cannot be used is
 * reported once and replaced by its default: configuration never stops the agent.
 */
final class IdTokenSettings {
  static final String PREFIX = "otel.exporter.otlp.google-id-token.";
  /** Required; without it the extension leaves the exporters alone. */
  static final String AUDIENCE = PREFIX + "audience";
  /** {@code authorization} (default) or {@code x-serverless-authorization}. */
  static final String HEADER = PREFIX + "header";
  /** How long an export may wait for a token when none is held. Default 2 s. */
  static final String MAX_WAIT = PREFIX + "max-wait";
  /** Deadline of one metadata request. Default 10 s. */
  static final String FETCH_TIMEOUT = PREFIX + "fetch-timeout";
  /** Refresh this long before exp (at most half the token's lifetime). Default 5 min. */
  static final String REFRESH_BEFORE_EXPIRY = PREFIX + "refresh-before-expiry";

  private static final Logger logger = Logger.getLogger(IdTokenSettings.class.getName());

  final String audience;
  final String headerName;
  final long maxWaitMs;
  final long fetchTimeoutMs;
  final long refreshBeforeExpiryMs;
  final long retryMinMs = 1_000;
  final long retryMaxMs = 60_000;

  private IdTokenSettings(
      String audience,
      String headerName,
      long maxWaitMs,
      long fetchTimeoutMs,
      long refreshBeforeExpiryMs) {
    this.audience = audience;
    this.headerName = headerName;
    this.maxWaitMs = maxWaitMs;
    this.fetchTimeoutMs = fetchTimeoutMs;
    this.refreshBeforeExpiryMs = refreshBeforeExpiryMs;
  }

  /** The settings, or null when no audience is configured (the extension then does nothing). */
  static IdTokenSettings read(ConfigProperties config) {
    String audience = trimmed(safeString(config, AUDIENCE));
    if (audience == null) return null;
    return new IdTokenSettings(
        audience,
        header(safeString(config, HEADER)),
        duration(config, MAX_WAIT, Duration.ofSeconds(2)),
        duration(config, FETCH_TIMEOUT, Duration.ofSeconds(10)),
        duration(config, REFRESH_BEFORE_EXPIRY, Duration.ofMinutes(5)));
  }

  /** Cloud Run's IAM check reads either header; X-Serverless-Authorization leaves Authorization to the app. */
  private static String header(String configured) {
    String value = trimmed(configured);
    if (value == null) return "authorization";
    String lower = value.toLowerCase(Locale.ROOT);
    if (lower.equals("authorization") || lower.equals("x-serverless-authorization")) return lower;
    logger.warning(
        HEADER + "=" + value + " is neither authorization nor x-serverless-authorization; using authorization");
    return "authorization";
  }

  private static long duration(ConfigProperties config, String key, Duration fallback) {
    try {
      Duration value = config.getDuration(key);
      if (value == null) return fallback.toMillis();
      if (value.isNegative() || value.isZero()) {
        logger.warning(key + " must be positive; using " + fallback.toMillis() + " ms");
        return fallback.toMillis();
      }
      // Capped where a scheduled delay stops meaning anything (and cannot overflow).
      return Math.min(value.toMillis(), Duration.ofDays(1).toMillis());
    } catch (RuntimeException e) { // ConfigurationException: not a duration
      logger.warning(key + ": " + e.getMessage() + "; using " + fallback.toMillis() + " ms");
      return fallback.toMillis();
    }
  }

  private static String safeString(ConfigProperties config, String key) {
    try {
      return config.getString(key);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String trimmed(String value) {
    if (value == null) return null;
    String t = value.trim();
    return t.isEmpty() ? null : t;
  }
}
