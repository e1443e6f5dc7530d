package org.calsync.emulator;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.calsync.support.Harness;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmulatorOpsTest extends EmulatorTestSupport {
  static final String ALICE = "alice@clinic.test";
  static final String EVENTS = "calendars/primary/events";

  @Test
  void watchSendsSyncThenExistsNotifications() throws Exception {
    String token = login(ALICE);
    LinkedBlockingQueue<MultiMap> received = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<Integer> bodies = new LinkedBlockingQueue<>();
    HttpServer hook = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      bodies.add(b.length());
      received.add(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
      req.response().setStatusCode(200).end();
    })).listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
    try {
      HttpResponse<Buffer> w = send(api(POST, token, EVENTS + "/watch"), new JsonObject().put("id", "chan-1")
        .put("type", "web_hook").put("address", "http://127.0.0.1:" + hook.actualPort() + "/hook").put("token", "secret-t"));
      assertThat(w.statusCode()).isEqualTo(200);
      JsonObject ch = w.bodyAsJsonObject();
      assertThat(ch.getString("kind")).isEqualTo("api#channel");
      assertThat(ch.getString("id")).isEqualTo("chan-1");
      assertThat(ch.getString("token")).isEqualTo("secret-t");
      assertThat(ch.getValue("expiration")).isInstanceOf(String.class);
      long exp = Long.parseLong(ch.getString("expiration"));
      assertThat(exp - System.currentTimeMillis()).isBetween(604_700_000L, 604_800_000L);
      String resourceId = ch.getString("resourceId");

      MultiMap sync = received.poll(5, TimeUnit.SECONDS);
      assertThat(sync).isNotNull();
      assertThat(sync.get("X-Goog-Resource-State")).isEqualTo("sync");
      assertThat(sync.get("X-Goog-Message-Number")).isEqualTo("1");
      assertThat(sync.get("X-Goog-Channel-ID")).isEqualTo("chan-1");
      assertThat(sync.get("X-Goog-Channel-Token")).isEqualTo("secret-t");
      assertThat(sync.get("X-Goog-Resource-ID")).isEqualTo(resourceId);
      assertThat(sync.get("X-Goog-Resource-URI")).contains("/calendar/v3/calendars/").contains("/events");
      assertThat(sync.get("X-Goog-Channel-Expiration")).endsWith("GMT");
      assertThat(sync.get("User-Agent")).isEqualTo("APIs-Google");
      assertThat(bodies.poll(1, TimeUnit.SECONDS)).isZero();

      long last = 1;
      for (int i = 0; i < 3; i++) {
        emu.state().insertEvent(ALICE, timed("n" + i, "2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z"));
        MultiMap exists = received.poll(5, TimeUnit.SECONDS);
        assertThat(exists).isNotNull();
        assertThat(exists.get("X-Goog-Resource-State")).isEqualTo("exists");
        long n = Long.parseLong(exists.get("X-Goog-Message-Number"));
        assertThat(n).isGreaterThan(last);
        last = n;
      }
      // a second watch on the same calendar has the same resourceId
      JsonObject ch2 = send(api(POST, token, EVENTS + "/watch"), new JsonObject().put("id", "chan-2")
        .put("type", "web_hook").put("address", "http://127.0.0.1:" + hook.actualPort() + "/hook")).bodyAsJsonObject();
      assertThat(ch2.getString("resourceId")).isEqualTo(resourceId);
      assertThat(received.poll(5, TimeUnit.SECONDS).get("X-Goog-Channel-ID")).isEqualTo("chan-2");

      assertThat(send(api(POST, token, "channels/stop"), new JsonObject().put("id", "chan-1")).statusCode()).isEqualTo(400);
      assertThat(send(api(POST, token, "channels/stop"), new JsonObject().put("id", "nope").put("resourceId", resourceId))
        .statusCode()).isEqualTo(404);
      assertThat(send(api(POST, token, "channels/stop"), new JsonObject().put("id", "chan-1").put("resourceId", resourceId))
        .statusCode()).isEqualTo(204);
      emu.state().insertEvent(ALICE, timed("after stop", "2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z"));
      MultiMap only = received.poll(5, TimeUnit.SECONDS);
      assertThat(only.get("X-Goog-Channel-ID")).isEqualTo("chan-2");
      assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();

      assertThat(send(api(POST, token, EVENTS + "/watch"), new JsonObject().put("id", "x".repeat(65))
        .put("type", "web_hook").put("address", "http://127.0.0.1:1/")).statusCode()).isEqualTo(400);
      assertThat(send(api(POST, token, EVENTS + "/watch"), new JsonObject().put("id", "c3")
        .put("type", "web_hook")).statusCode()).isEqualTo(400);
    } finally {
      hook.close().await(5, TimeUnit.SECONDS);
    }
  }

  private List<Integer> statuses(String token, int n) throws Exception {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(send(api(GET, token, EVENTS)).statusCode());
    return out;
  }

  @Test
  void faultsAreDeterministicUnderTheSeed() throws Exception {
    String token = login(ALICE);
    FaultProfile p = FaultProfile.none().withServerError(0.2).withRateLimit(0.2).withQuotaExceeded(0.1);
    emu.state().setFaults(p);
    List<Integer> first = statuses(token, 60);
    emu.state().setFaults(p);
    List<Integer> second = statuses(token, 60);
    assertThat(second).isEqualTo(first);
    assertThat(Set.copyOf(first)).contains(200).containsAnyOf(500, 503).containsAnyOf(403, 429);

    // the OAuth endpoint and /admin are not faulted by default
    assertThat(tokenRequest(refreshForm(emu.state().mintRefreshToken(ALICE))).statusCode()).isEqualTo(200);
    emu.state().setFaults(FaultProfile.none().withServerError(1.0));
    HttpResponse<Buffer> err = send(api(GET, token, EVENTS));
    assertThat(err.statusCode()).isIn(500, 503);
    assertThat(err.bodyAsJsonObject().getJsonObject("error").getJsonArray("errors").getJsonObject(0).getString("reason"))
      .isEqualTo("backendError");
    assertThat(client.getAbs(emu.baseUrl() + "/admin/faults").send().await(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    emu.state().setFaults(FaultProfile.none().withServerError(1.0).withPaths(Set.of("token")));
    assertThat(send(api(GET, token, EVENTS)).statusCode()).isEqualTo(200);
    assertThat(tokenRequest(refreshForm(emu.state().mintRefreshToken(ALICE))).statusCode()).isIn(500, 503);
  }

  @Test
  void rateLimitBodiesAndMalformedAndReset() throws Exception {
    String token = login(ALICE);
    emu.state().setFaults(FaultProfile.none().withQuotaExceeded(1.0));
    HttpResponse<Buffer> quota = send(api(GET, token, EVENTS));
    assertThat(quota.statusCode()).isEqualTo(403);
    assertThat(quota.bodyAsJsonObject()).isEqualTo(new JsonObject("{\"error\":{\"errors\":[{\"domain\":\"usageLimits\","
      + "\"reason\":\"quotaExceeded\",\"message\":\"Calendar usage limits exceeded.\"}],\"code\":403,"
      + "\"message\":\"Calendar usage limits exceeded.\"}}"));

    emu.state().setFaults(FaultProfile.none().withMalformedJson(1.0));
    HttpResponse<Buffer> broken = send(api(GET, token, EVENTS));
    assertThat(broken.statusCode()).isEqualTo(200);
    assertThatThrownBy(broken::bodyAsJsonObject).isInstanceOf(RuntimeException.class);

    emu.state().setFaults(FaultProfile.none().withConnectionReset(1.0));
    assertThatThrownBy(() -> send(api(GET, token, EVENTS))).isNotNull();
    emu.state().setFaults(FaultProfile.none());
    assertThat(send(api(GET, token, EVENTS)).statusCode()).isEqualTo(200);
  }

  @Test
  void perUserLimitRejectsThe601stRequestWithinAMinute() throws Exception {
    String alice = login(ALICE);
    String bob = login("bob@clinic.test");
    emu.state().setFaults(FaultProfile.none().withPerUserLimit(true));
    for (int i = 0; i < 600; i++) assertThat(send(api(GET, alice, EVENTS)).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> limited = send(api(GET, alice, EVENTS));
    assertThat(limited.statusCode()).isEqualTo(403);
    assertThat(limited.bodyAsJsonObject().getJsonObject("error").getJsonArray("errors").getJsonObject(0).getString("reason"))
      .isEqualTo("userRateLimitExceeded");
    assertThat(send(api(GET, bob, EVENTS)).statusCode()).isEqualTo(200);
    assertThat(emu.state().stats().requests("GET events.list 403")).isEqualTo(1);
  }

  @Test
  void seedIsFastDeterministicAndMatchesTheApi() throws Exception {
    long t0 = System.nanoTime();
    List<SeededUser> users = emu.state().seed(10_000, 5);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("seeded 10000 x 5 in " + ms + " ms");
    assertThat(users).hasSize(10_000);
    assertThat(users.get(0).email()).isEqualTo("user1@clinic.test");
    List<JsonObject> truth = emu.state().groundTruth("user7@clinic.test");
    assertThat(truth).hasSize(5);

    String access = tokenRequest(refreshForm(users.get(6).refreshToken())).bodyAsJsonObject().getString("access_token");
    JsonObject listed = send(api(GET, access, EVENTS)).bodyAsJsonObject();
    assertThat(listed.getJsonArray("items").getList()).hasSize(5);
    assertThat(new JsonArray(new ArrayList<>(truth))).isEqualTo(listed.getJsonArray("items"));
    JsonObject one = send(api(GET, access, EVENTS + "/" + truth.get(0).getString("id"))).bodyAsJsonObject();
    assertThat(one).isEqualTo(truth.get(0));

    // the same seed gives the same events
    try (var other = new AutoCloseableEmulator()) {
      other.emu.state().seed(7, 5);
      List<JsonObject> again = other.emu.state().groundTruth("user7@clinic.test");
      assertThat(again.stream().map(j -> j.getJsonObject("start")).toList())
        .isEqualTo(truth.stream().map(j -> j.getJsonObject("start")).toList());
    }

    // incremental sync on a seeded calendar sees a server-side change and a delete
    String sync = listed.getString("nextSyncToken");
    emu.state().patchEvent("user7@clinic.test", truth.get(1).getString("id"), new JsonObject().put("summary", "changed"));
    emu.state().deleteEvent("user7@clinic.test", truth.get(2).getString("id"));
    JsonArray delta = send(api(GET, access, EVENTS).addQueryParam("syncToken", sync)).bodyAsJsonObject().getJsonArray("items");
    assertThat(delta).hasSize(2);
    assertThat(delta.getJsonObject(0).getString("summary")).isEqualTo("changed");
    assertThat(delta.getJsonObject(1).getString("status")).isEqualTo("cancelled");
    assertThat(emu.state().groundTruth("user7@clinic.test")).hasSize(4);
  }

  /** A second emulator with the same (default) seed. */
  final class AutoCloseableEmulator implements AutoCloseable {
    final GoogleEmulator emu;

    AutoCloseableEmulator() throws Exception {
      emu = GoogleEmulator.start(vertx, EmulatorOptions.defaults()).await(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
      emu.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void mutationDriverChangesEventsVisibleToIncrementalSync() throws Exception {
    List<SeededUser> users = emu.state().seed(3, 20);
    List<String> tokens = new ArrayList<>();
    List<String> syncs = new ArrayList<>();
    for (SeededUser u : users) {
      String t = tokenRequest(refreshForm(u.refreshToken())).bodyAsJsonObject().getString("access_token");
      tokens.add(t);
      syncs.add(send(api(GET, t, EVENTS)).bodyAsJsonObject().getString("nextSyncToken"));
    }
    for (int i = 0; i < 30; i++) emu.state().mutationDriver().mutateOnce();
    assertThat(emu.state().mutationDriver().mutations()).isEqualTo(30);
    int changed = 0;
    for (int i = 0; i < users.size(); i++) {
      changed += send(api(GET, tokens.get(i), EVENTS).addQueryParam("syncToken", syncs.get(i))).bodyAsJsonObject()
        .getJsonArray("items").size();
    }
    assertThat(changed).isBetween(1, 30);

    emu.state().mutationDriver().start(200);
    Harness.await("the driver's changes", () -> emu.state().mutationDriver().mutations() > 40);
    emu.state().mutationDriver().stop();
    assertThat(emu.state().mutationDriver().mutations()).isGreaterThan(40);
  }

  @Test
  void adminApi() throws Exception {
    String admin = emu.baseUrl() + "/admin";
    JsonObject user = client.postAbs(admin + "/users").sendJsonObject(new JsonObject().put("email", "carol@clinic.test"))
      .await(5, TimeUnit.SECONDS).bodyAsJsonObject();
    assertThat(user.getString("email")).isEqualTo("carol@clinic.test");
    HttpResponse<Buffer> tok = tokenRequest(refreshForm(user.getString("refreshToken")));
    assertThat(tok.statusCode()).isEqualTo(200);
    String access = tok.bodyAsJsonObject().getString("access_token");
    String second = client.postAbs(admin + "/users/" + enc("carol@clinic.test") + "/refresh-tokens").send()
      .await(5, TimeUnit.SECONDS).bodyAsJsonObject().getString("refreshToken");
    assertThat(second).isNotEqualTo(user.getString("refreshToken"));
    assertThat(client.postAbs(admin + "/refresh-tokens/revoke").sendJsonObject(new JsonObject().put("refreshToken", second))
      .await(5, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
    assertThat(tokenRequest(refreshForm(second)).statusCode()).isEqualTo(400);

    JsonObject ev = client.postAbs(admin + "/calendars/" + enc("carol@clinic.test") + "/events")
      .sendJsonObject(timed("x", "2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z")).await(5, TimeUnit.SECONDS).bodyAsJsonObject();
    JsonArray truth = client.getAbs(admin + "/calendars/" + enc("carol@clinic.test") + "/events").send()
      .await(5, TimeUnit.SECONDS).bodyAsJsonArray();
    assertThat(truth).hasSize(1);
    assertThat(truth.getJsonObject(0)).isEqualTo(ev);

    String sync = send(api(GET, access, EVENTS)).bodyAsJsonObject().getString("nextSyncToken");
    client.postAbs(admin + "/calendars/" + enc("carol@clinic.test") + "/invalidate-sync-tokens").send().await(5, TimeUnit.SECONDS);
    assertThat(send(api(GET, access, EVENTS).addQueryParam("syncToken", sync)).statusCode()).isEqualTo(410);

    JsonObject faults = FaultProfile.none().withRateLimit(0.5).toJson();
    assertThat(client.putAbs(admin + "/faults").sendJsonObject(faults).await(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(emu.state().faults().rateLimit()).isEqualTo(0.5);
    assertThat(FaultProfile.fromJson(client.getAbs(admin + "/faults").send().await(5, TimeUnit.SECONDS).bodyAsJsonObject()))
      .isEqualTo(emu.state().faults());
    client.putAbs(admin + "/faults").sendJsonObject(new JsonObject()).await(5, TimeUnit.SECONDS);
    assertThat(emu.state().faults()).isEqualTo(FaultProfile.none());

    assertThat(client.postAbs(admin + "/access-tokens/expire").send().await(5, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
    assertThat(send(api(GET, access, EVENTS)).statusCode()).isEqualTo(401);
    client.postAbs(admin + "/users/" + enc("carol@clinic.test") + "/revoke").send().await(5, TimeUnit.SECONDS);
    assertThat(tokenRequest(refreshForm(user.getString("refreshToken"))).statusCode()).isEqualTo(400);

    assertThat(client.postAbs(admin + "/mutations").sendJsonObject(new JsonObject().put("changesPerSecond", 50))
      .await(5, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
    assertThat(emu.state().mutationDriver().running()).isTrue();
    client.deleteAbs(admin + "/mutations").send().await(5, TimeUnit.SECONDS);
    assertThat(emu.state().mutationDriver().running()).isFalse();

    JsonObject stats = client.getAbs(admin + "/stats").send().await(5, TimeUnit.SECONDS).bodyAsJsonObject();
    assertThat(stats.getJsonObject("requests").getLong("GET events.list 410")).isEqualTo(1);
    assertThat(stats.getLong("tokenRefreshes")).isEqualTo(1);
  }

  @Test
  void commandStartsSeedsAndPrintsTheEndpoints() throws Exception {
    EmulatorCommand cmd = new EmulatorCommand();
    new picocli.CommandLine(cmd).parseArgs("--port", "0", "--users", "3", "--events-per-user", "2", "--seed", "7");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    cmd.output(new PrintStream(out, true, StandardCharsets.UTF_8));
    Thread t = new Thread(() -> {
      try {
        cmd.call();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    t.start();
    Harness.await("the seeding reported", () -> out.toString(StandardCharsets.UTF_8).contains("Seeded"));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("Google emulator listening on http://127.0.0.1:").contains("/admin/").contains("Seeded 3 users");
    assertThat(cmd.emulator.state().users()).hasSize(3);
    HttpResponse<Buffer> stats = client.getAbs(cmd.emulator.baseUrl() + "/admin/stats").send().await(5, TimeUnit.SECONDS);
    assertThat(stats.statusCode()).isEqualTo(200);
    cmd.stopped.countDown();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
  }

  @Test
  void deleteOfUnknownAndOtherUsersEventsIs404() throws Exception {
    String token = login(ALICE);
    emu.state().createUser("bob@clinic.test");
    String bobEvent = emu.state().insertEvent("bob@clinic.test", timed("b", "2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z")).getString("id");
    assertThat(send(api(DELETE, token, "calendars/" + enc("bob@clinic.test") + "/events/" + bobEvent)).statusCode()).isEqualTo(404);
    assertThat(send(api(DELETE, token, EVENTS + "/" + bobEvent)).statusCode()).isEqualTo(404);
  }
}
