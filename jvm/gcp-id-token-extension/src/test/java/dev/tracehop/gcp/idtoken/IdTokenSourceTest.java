package dev.tracehop.gcp.idtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The token source's rules that the Node tests through the agent cannot reach: real concurrency. */
class IdTokenSourceTest {
  /** An unsigned JWT with this exp (the source reads exp; the receiver verifies). */
  static String token(long expSeconds, int serial) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
    String payload =
        b64.encodeToString(
            ("{\"exp\":" + expSeconds + ",\"n\":" + serial + "}").getBytes(StandardCharsets.UTF_8));
    return header + "." + payload + ".sig";
  }

  static IdTokenSettings settings(Map<String, String> extra) {
    Map<String, String> properties = new HashMap<>();
    properties.put(IdTokenSettings.AUDIENCE, "https://collector.test");
    properties.putAll(extra);
    return IdTokenSettings.read(DefaultConfigProperties.createFromMap(properties));
  }

  @Test
  void sixteenConcurrentExportsOnAColdSourceShareOneFetch() throws Exception {
    AtomicInteger fetches = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    IdTokenSource source =
        new IdTokenSource(
            settings(Collections.singletonMap(IdTokenSettings.MAX_WAIT, "5s")),
            () -> {
              int n = fetches.incrementAndGet();
              release.await(5, TimeUnit.SECONDS);
              return token(System.currentTimeMillis() / 1000 + 3600, n);
            },
            System::currentTimeMillis);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Map<String, String>>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) results.add(pool.submit(source::headers));
      Thread.sleep(200); // every caller is waiting on the one fetch
      release.countDown();
      Set<String> headers = new HashSet<>();
      for (Future<Map<String, String>> result : results) {
        headers.add(result.get(10, TimeUnit.SECONDS).get("authorization"));
      }
      assertEquals(1, fetches.get());
      assertEquals(1, headers.size(), headers.toString());
      assertTrue(headers.iterator().next().startsWith("Bearer "), headers.toString());
      // and later exports reuse the held token
      for (int i = 0; i < 100; i++) source.headers();
      assertEquals(1, fetches.get());
    } finally {
      pool.shutdownNow();
      source.shutdown();
    }
  }

  @Test
  void aHungMetadataServerDelaysAnExportByAtMostMaxWaitAndNothingIsThrown() {
    CountDownLatch never = new CountDownLatch(1);
    IdTokenSource source =
        new IdTokenSource(
            settings(Collections.singletonMap(IdTokenSettings.MAX_WAIT, "300ms")),
            () -> {
              never.await();
              return "unreachable";
            },
            System::currentTimeMillis);
    try {
      long started = System.nanoTime();
      assertEquals(Collections.emptyMap(), source.headers());
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      // A bound, not a speed test: 300 ms of waiting plus scheduling slack on a busy machine.
      assertTrue(waitedMs >= 250 && waitedMs < 5_000, "waited " + waitedMs + " ms");
    } finally {
      never.countDown();
      source.shutdown();
    }
  }

  @Test
  void answersThatAreNotUsableTokensGiveNoHeader() {
    long now = System.currentTimeMillis() / 1000;
    String[] answers = {"<html>not a token</html>", token(now - 60, 1), "a.b.c", null};
    for (String answer : answers) {
      IdTokenSource source =
          new IdTokenSource(
              settings(Collections.<String, String>emptyMap()), () -> answer, System::currentTimeMillis);
      try {
        assertEquals(Collections.emptyMap(), source.headers(), String.valueOf(answer));
      } finally {
        source.shutdown();
      }
    }
  }

  @Test
  void noAudienceMeansNoSettingsAndBadValuesFallBackToDefaults() {
    assertNull(IdTokenSettings.read(DefaultConfigProperties.createFromMap(Collections.emptyMap())));
    Map<String, String> bad = new HashMap<>();
    bad.put(IdTokenSettings.HEADER, "cookie");
    bad.put(IdTokenSettings.MAX_WAIT, "soon");
    bad.put(IdTokenSettings.FETCH_TIMEOUT, "-5s");
    IdTokenSettings s = settings(bad);
    assertEquals("authorization", s.headerName);
    assertEquals(2_000, s.maxWaitMs);
    assertEquals(10_000, s.fetchTimeoutMs);
    assertEquals(
        "x-serverless-authorization",
        settings(Collections.singletonMap(IdTokenSettings.HEADER, "X-Serverless-Authorization"))
            .headerName);
  }
}
