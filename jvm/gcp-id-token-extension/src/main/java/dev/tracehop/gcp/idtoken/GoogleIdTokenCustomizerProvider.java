package dev.tracehop.gcp.idtoken;

import com.google.auth.oauth2.ComputeEngineCredentials;
import com.google.auth.oauth2.IdTokenCredentials;
import com.google.auth.oauth2.IdTokenProvider;
import io.opentelemetry.api.impl.InstrumentationUtil;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizer;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizerProvider;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Adds a Google-signed ID token to the agent's OTLP span exporter (http/protobuf or gRPC), through
 * the exporter builder's header supplier, which the exporter calls on every export. Loaded by the
 * Java agent from {@code -Dotel.javaagent.extensions=<this jar>} through
 * META-INF/services/io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizerProvider.
 *
 * <p>Tokens come from the metadata server (Cloud Run, GCE, GKE with Workload Identity) through
 * google-auth-library's {@link IdTokenCredentials} over {@link ComputeEngineCredentials}, in
 * {@code format=full} (the token carries the service account's {@code email}, which an
 * allow-list can check). Refresh timing is {@link IdTokenSource}'s, not the library's.
 */
public final class GoogleIdTokenCustomizerProvider implements AutoConfigurationCustomizerProvider {
  private static final Logger logger =
      Logger.getLogger(GoogleIdTokenCustomizerProvider.class.getName());

  /** One source per agent, shared by every exporter this customizer touches. */
  private final AtomicReference<IdTokenSource> source = new AtomicReference<>();

  @Override
  public void customize(AutoConfigurationCustomizer autoConfiguration) {
    autoConfiguration.addSpanExporterCustomizer(this::customizeSpanExporter);
  }

  private SpanExporter customizeSpanExporter(SpanExporter exporter, ConfigProperties config) {
    // Whatever happens here, the agent keeps the exporter it built: never break telemetry setup.
    try {
      if (!(exporter instanceof OtlpHttpSpanExporter || exporter instanceof OtlpGrpcSpanExporter)) {
        return exporter; // logging, stdout, zipkin…: nothing to authenticate
      }
      IdTokenSettings settings = IdTokenSettings.read(config);
      if (settings == null) return exporter;
      IdTokenSource tokens = sourceFor(settings);
      logger.info(
          "OTLP span exports carry a Google ID token for "
              + settings.audience
              + " in "
              + settings.headerName);
      if (exporter instanceof OtlpHttpSpanExporter) {
        return ((OtlpHttpSpanExporter) exporter).toBuilder().setHeaders(tokens::headers).build();
      }
      return ((OtlpGrpcSpanExporter) exporter).toBuilder().setHeaders(tokens::headers).build();
    } catch (RuntimeException | LinkageError e) {
      logger.log(
          Level.SEVERE,
          "could not add Google ID tokens to the span exporter; it exports without them",
          e);
      return exporter;
    }
  }

  private IdTokenSource sourceFor(IdTokenSettings settings) {
    IdTokenSource existing = source.get();
    if (existing != null) return existing;
    IdTokenCredentials credentials =
        IdTokenCredentials.newBuilder()
            .setIdTokenProvider(ComputeEngineCredentials.create())
            .setTargetAudience(settings.audience)
            .setOptions(Collections.singletonList(IdTokenProvider.Option.FORMAT_FULL))
            .build();
    IdTokenSource created =
        new IdTokenSource(settings, () -> fetch(credentials), System::currentTimeMillis);
    if (!source.compareAndSet(null, created)) {
      created.shutdown();
      return source.get();
    }
    created.prefetch();
    return created;
  }

  /**
   * One identity request. {@code refresh()} always asks the metadata server (the library's own
   * 5-minute margin applies only to its getRequestMetadata path, which is not used). The request
   * runs with instrumentation suppressed, so the agent's HttpURLConnection instrumentation does
   * not trace the exporter's own token fetches.
   */
  private static String fetch(IdTokenCredentials credentials) throws Exception {
    Exception[] failure = new Exception[1];
    String[] token = new String[1];
    InstrumentationUtil.suppressInstrumentation(
        () -> {
          try {
            credentials.refresh();
            token[0] = credentials.getIdToken().getTokenValue();
          } catch (Exception e) {
            failure[0] = e;
          }
        });
    if (failure[0] != null) throw failure[0];
    return token[0];
  }
}
