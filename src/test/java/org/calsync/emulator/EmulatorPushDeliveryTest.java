package org.calsync.emulator;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;

/** Web-hook delivery order, concurrency and retries, and the headers of 401s and notifications. */
class EmulatorPushDeliveryTest extends EmulatorTestSupport {
  static final String ALICE = "alice@clinic.test";
  static final String EVENTS = "calendars/primary/events";

  @Test
  void syncArrivesFirstAndA503IsRetriedBeforeTheNextMessage() throws Exception {
    String token = login(ALICE);
    emu.state().notifier().retryBackoff(20, 100);
    LinkedBlockingQueue<MultiMap> received = new LinkedBlockingQueue<>();
    AtomicInteger calls = new AtomicInteger();
    HttpServer hook = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      received.add(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
      // the first two deliveries (the sync message and its first retry) fail with retryable statuses
      int n = calls.incrementAndGet();
      req.response().setStatusCode(n == 1 ? 503 : n == 2 ? 500 : 200).end();
    })).listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
    try {
      HttpResponse<Buffer> w = send(api(POST, token, EVENTS + "/watch"), new JsonObject().put("id", "chan-1")
        .put("type", "web_hook").put("address", "http://127.0.0.1:" + hook.actualPort() + "/hook"));
      assertThat(w.statusCode()).isEqualTo(200);
      for (int i = 0; i < 4; i++) {
        emu.state().insertEvent(ALICE, timed("n" + i, "2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z"));
      }
      List<String> states = new ArrayList<>();
      List<Long> numbers = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        MultiMap m = received.poll(10, TimeUnit.SECONDS);
        assertThat(m).as("delivery " + i).isNotNull();
        states.add(m.get("X-Goog-Resource-State"));
        numbers.add(Long.parseLong(m.get("X-Goog-Message-Number")));
      }
      assertThat(states).containsExactly("sync", "sync", "sync", "exists", "exists", "exists", "exists");
      assertThat(numbers.subList(0, 3)).containsOnly(1L);
      assertThat(numbers.subList(3, 7)).isSorted().doesNotHaveDuplicates().allMatch(n -> n > 1);
      assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
    } finally {
      hook.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aNonRetryableFailureIsNotRetried() throws Exception {
    String token = login(ALICE);
    emu.state().notifier().retryBackoff(20, 100);
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    HttpServer hook = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      received.add(req.getHeader("X-Goog-Resource-State"));
      req.response().setStatusCode(404).end();
    })).listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
    try {
      send(api(POST, token, EVENTS + "/watch"), new JsonObject().put("id", "chan-2")
        .put("type", "web_hook").put("address", "http://127.0.0.1:" + hook.actualPort() + "/hook"));
      emu.state().insertEvent(ALICE, timed("n", "2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z"));
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("sync");
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("exists");
      assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
    } finally {
      hook.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aStalledEndpointKeepsABoundedQueueWithTheNewestChange() throws Exception {
    String token = login(ALICE);
    LinkedBlockingQueue<Long> numbers = new LinkedBlockingQueue<>();
    CompletableFuture<HttpServerResponse> held = new CompletableFuture<>();
    HttpServer hook = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      numbers.add(Long.parseLong(req.getHeader("X-Goog-Message-Number")));
      if (!held.isDone()) held.complete(req.response()); // the sync message waits until released
      else req.response().end();
    })).listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
    try {
      send(api(POST, token, EVENTS + "/watch"), new JsonObject().put("id", "chan-3")
        .put("type", "web_hook").put("address", "http://127.0.0.1:" + hook.actualPort() + "/hook"));
      HttpServerResponse sync = held.get(10, TimeUnit.SECONDS);
      int changes = PushNotifier.MAX_QUEUED + 50;
      for (int i = 0; i < changes; i++) emu.state().insertEvent(ALICE, timed("n" + i, "2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z"));
      long newest = emu.state().notifier().lastNumber("chan-3");
      sync.end();
      List<Long> got = new ArrayList<>();
      for (int i = 0; i < 1 + PushNotifier.MAX_QUEUED; i++) got.add(numbers.poll(10, TimeUnit.SECONDS));
      assertThat(numbers.poll(300, TimeUnit.MILLISECONDS)).isNull();
      assertThat(got).doesNotContainNull().isSorted().doesNotHaveDuplicates();
      assertThat(got.get(got.size() - 1)).isEqualTo(newest);
    } finally {
      hook.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void differentChannelsDeliverConcurrentlyToOneAddress() throws Exception {
    String token = login(ALICE);
    int channels = 12;
    List<HttpServerResponse> held = new ArrayList<>();
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    HttpServer hook = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      received.add(req.getHeader("X-Goog-Channel-ID"));
      synchronized (held) {
        held.add(req.response()); // no answer until every channel's sync message is in flight at once
        if (held.size() == channels) held.forEach(HttpServerResponse::end);
      }
    })).listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
    try {
      for (int i = 0; i < channels; i++) {
        send(api(POST, token, EVENTS + "/watch"), new JsonObject().put("id", "chan-c" + i)
          .put("type", "web_hook").put("address", "http://127.0.0.1:" + hook.actualPort() + "/hook"));
      }
      List<String> got = new ArrayList<>();
      for (int i = 0; i < channels; i++) got.add(received.poll(10, TimeUnit.SECONDS));
      assertThat(got).as("every channel's sync message arrived before any was answered").doesNotContainNull()
        .doesNotHaveDuplicates().hasSize(channels);
    } finally {
      hook.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void expirationHeaderHasATwoDigitDay() {
    assertThat(PushNotifier.EXPIRATION.format(Instant.parse("2026-12-03T01:02:03Z")))
      .isEqualTo("Thu, 03 Dec 2026 01:02:03 GMT");
  }

  @Test
  void unauthorizedCarriesTheBearerChallenge() throws Exception {
    HttpResponse<Buffer> r = send(api(GET, "ya29.unknown", EVENTS));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate"))
      .isEqualTo("Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"");
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getJsonArray("errors").getJsonObject(0).getString("message"))
      .isEqualTo("Invalid Credentials");
  }
}
