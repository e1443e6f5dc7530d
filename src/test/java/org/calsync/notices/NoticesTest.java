package org.calsync.notices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.calsync.App;
import org.calsync.VertxRuntime;
import org.calsync.bus.Addresses;
import org.calsync.config.CalsyncConfig;
import org.calsync.config.ConfigException;
import org.calsync.config.NoticesConfig;
import org.calsync.db.Notices;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.calsync.support.WebhookReceiver;
import org.calsync.token.Disconnections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The outbox: a notice commits with its change or not at all, reads are ordered and resumable, long-polls wake on a
 * new notice, a change made by another process (as a CLI command does) reaches this process's bus consumers, and the
 * webhook gets every notice signed, retried on schedule then dead-lettered, once even with two relays. Where the
 * relay's poll is set to a minute, only LISTEN/NOTIFY can wake it within the waits here.
 */
@ExtendWith(HarnessExtension.class)
class NoticesTest {
  private static final JsonObject SLOW_POLL = new JsonObject().put("notices", new JsonObject().put("pollMs", 60_000));

  @Test
  void aRolledBackChangeLeavesNoNotice(Harness h) {
    h.configure(SLOW_POLL).start(new App.Parts(true, false, false));
    long id = h.connectSeeded(1, 1).values().iterator().next();
    long before = h.count("SELECT count(*) FROM notices");
    try {
      h.pool().withTransaction(conn -> conn.preparedQuery("UPDATE user_integrations SET status = 'needs_reconnect' WHERE id = "
              + id).execute()
          .compose(v -> Notices.appendStatus(conn, id, 1, "needs_reconnect", "test"))
          .compose(v -> Future.failedFuture("the change fails after its notice"))).await();
    } catch (RuntimeException expected) {
      // rolled back
    }
    assertThat(h.count("SELECT count(*) FROM notices")).isEqualTo(before);
    assertThat(h.query("SELECT status FROM user_integrations WHERE id = $1", id).get(0).getString(0)).isEqualTo("active");
  }

  @Test
  void readsAreOrderedAndResumeFromTheCursor(Harness h) {
    h.configure(SLOW_POLL).start(new App.Parts(true, false, false));
    long start = h.longValue("SELECT COALESCE(max(id), 0) FROM notices");
    for (int i = 0; i < 5; i++) append(h, "r" + i);
    JsonObject first = read(h, start, 2, 0);
    assertThat(reasons(first)).containsExactly("r0", "r1");
    JsonObject second = read(h, first.getLong("next"), 2, 0);
    assertThat(reasons(second)).containsExactly("r2", "r3");
    JsonObject third = read(h, second.getLong("next"), 100, 0);
    assertThat(reasons(third)).containsExactly("r4");
    JsonObject empty = read(h, third.getLong("next"), 100, 0);
    assertThat(empty.getJsonArray("notices")).isEmpty();
    assertThat(empty.getLong("next")).isEqualTo(third.getLong("next"));
    JsonObject n = first.getJsonArray("notices").getJsonObject(0);
    assertThat(n.getString("type")).isEqualTo(Notices.INTEGRATION_STATUS);
    assertThat(n.getJsonObject("data").getString("status")).isEqualTo("needs_reconnect");
  }

  @Test
  void aLongPollWakesOnANewNotice(Harness h) {
    h.configure(SLOW_POLL).start(new App.Parts(true, false, false));
    long start = h.longValue("SELECT COALESCE(max(id), 0) FROM notices");
    Future<Message<JsonObject>> waiting = h.vertx.eventBus().request(Addresses.NOTICES_READ,
        new JsonObject().put("after", start).put("waitSeconds", 60),
        new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(90_000));
    Harness.await("the read is waiting", () -> h.runtime.registry().get("calsync_notices_long_polls").gauge().value() == 1);
    append(h, "late");
    JsonObject reply = waiting.await().body();
    assertThat(reasons(reply)).containsExactly("late");
  }

  @Test
  void aChangeMadeByAnotherProcessReachesThisProcesssBusConsumers(Harness h) {
    h.configure(SLOW_POLL).start(new App.Parts(true, false, false));
    long id = h.connectSeeded(1, 1).values().iterator().next();
    List<JsonObject> statuses = new CopyOnWriteArrayList<>();
    h.vertx.eventBus().<JsonObject>consumer(Addresses.INTEGRATION_STATUS, m -> statuses.add(m.body())).completion().await();
    // A second process as `disconnect` runs it: its own Vert.x and App without workers (no relay of its own).
    VertxRuntime cli = VertxRuntime.create();
    try {
      App app = App.start(cli.vertx(), h.config, h.cipher, cli.registry(), new App.Parts(false, false, false)).await();
      new Disconnections(cli.vertx(), app.pool(), h.cipher, app.google()).disconnect(id, "admin").await();
      app.close().await();
    } finally {
      cli.vertx().close().await();
    }
    Harness.await("the disconnect notice on the daemon's bus",
        () -> statuses.stream().anyMatch(s -> "disconnected".equals(s.getString("status")) && s.getLong("integrationId") == id));
  }

  @Test
  void aWebhookGetsEachNoticeSignedAsStandardWebhooksSays(Harness h) {
    WebhookReceiver receiver = WebhookReceiver.start(h.vertx);
    String secret = WebhookReceiver.newSecret();
    withWebhook(h, secret, receiver, new JsonObject().put("pollMs", 60_000)).start(new App.Parts(true, false, false));
    append(h, "pushed");
    long id = h.longValue("SELECT max(id) FROM notices");
    Harness.await("delivered", () -> h.count("SELECT count(*) FROM notices WHERE id = $1 AND status = 'delivered'", id) == 1);
    List<WebhookReceiver.Received> got = receiver.of(id);
    assertThat(got).hasSize(1);
    WebhookReceiver.Received r = got.get(0);
    assertThat(WebhookReceiver.verify(secret, r)).as("signature verifies with an independent HMAC").isTrue();
    assertThat(WebhookReceiver.verify(WebhookReceiver.newSecret(), r)).as("not with another secret").isFalse();
    assertThat(Math.abs(Long.parseLong(r.timestamp()) - System.currentTimeMillis() / 1000)).isLessThan(600);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getLong("id")).isEqualTo(id);
    assertThat(body.getString("type")).isEqualTo(Notices.INTEGRATION_STATUS);
    assertThat(body.getJsonObject("data").getString("reason")).isEqualTo("pushed");
    assertThat(h.runtime.registry().get("calsync_notices_pending").gauge()).isNotNull();
  }

  @Test
  void aFailingReceiverIsRetriedOnScheduleThenTheNoticeIsDead(Harness h) {
    WebhookReceiver receiver = WebhookReceiver.start(h.vertx);
    receiver.status = 500;
    withWebhook(h, WebhookReceiver.newSecret(), receiver, new JsonObject().put("pollMs", 50).put("retrySchedule", "100ms,200ms"))
        .start(new App.Parts(true, false, false));
    append(h, "refused");
    long id = h.longValue("SELECT max(id) FROM notices");
    Harness.await("dead", () -> h.count("SELECT count(*) FROM notices WHERE id = $1 AND status = 'dead'", id) == 1);
    assertThat(receiver.of(id)).as("first attempt and one per delay").hasSize(3);
    var row = h.query("SELECT attempts, last_error, delivered_at FROM notices WHERE id = $1", id).get(0);
    assertThat(row.getInteger(0)).isEqualTo(3);
    assertThat(row.getString(1)).isEqualTo("HTTP 500");
    assertThat(row.getValue(2)).isNull();
    JsonObject stats = Notices.stats(h.pool(), 10).await();
    assertThat(stats.getLong("dead")).isEqualTo(1);
    assertThat(stats.getJsonArray("deadNotices").getJsonObject(0).getLong("id")).isEqualTo(id);
    Harness.await("the dead gauge", () -> h.runtime.registry().get("calsync_notices_dead").gauge().value() == 1.0);

    // a receiver back up gets later notices; the dead one stays dead (visible) and is not sent again
    receiver.status = 204;
    append(h, "later");
    long later = h.longValue("SELECT max(id) FROM notices");
    Harness.await("delivered", () -> h.count("SELECT count(*) FROM notices WHERE id = $1 AND status = 'delivered'", later) == 1);
    assertThat(receiver.of(id)).hasSize(3);
  }

  @Test
  void twoRelaysSharingTheDatabaseDeliverEachNoticeOnce(Harness h) {
    WebhookReceiver receiver = WebhookReceiver.start(h.vertx);
    String secret = WebhookReceiver.newSecret();
    withWebhook(h, secret, receiver, new JsonObject().put("pollMs", 20).put("concurrency", 4))
        .start(new App.Parts(true, false, false));
    VertxRuntime other = VertxRuntime.create();
    try {
      App second = App.start(other.vertx(), h.config, h.cipher, other.registry(), new App.Parts(true, false, false)).await();
      long before = h.longValue("SELECT COALESCE(max(id), 0) FROM notices");
      for (int i = 0; i < 20; i++) {
        h.pool().withTransaction(conn -> {
          Future<Long> chain = Future.succeededFuture();
          for (int j = 0; j < 10; j++) chain = chain.compose(v -> Notices.appendStatus(conn, 1, 1, "active", "bulk"));
          return chain;
        }).await();
      }
      Harness.await("200 delivered", () -> h.count("SELECT count(*) FROM notices WHERE id > $1 AND status = 'delivered'",
          before) == 200);
      List<String> ids = receiver.received.stream().map(WebhookReceiver.Received::id).toList();
      assertThat(ids).hasSize(200).doesNotHaveDuplicates();
      assertThat(receiver.received).allMatch(r -> WebhookReceiver.verify(secret, r));
      second.close().await();
    } finally {
      other.vertx().close().await();
    }
  }

  @Test
  void aWebhookWithoutItsSecretStopsTheStartNamingTheVariable(Harness h) throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("calsync", ".json");
    java.nio.file.Files.writeString(file, h.configJson(new JsonObject().put("notices",
        new JsonObject().put("webhookUrl", "https://emr.example.org/hook"))).encode());
    assertThatThrownBy(() -> CalsyncConfig.load(file, java.util.Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining(NoticesConfig.SECRET_ENV);
    assertThatThrownBy(() -> CalsyncConfig.load(file, java.util.Map.of(NoticesConfig.SECRET_ENV, "not-a-secret")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("whsec_").hasMessageNotContaining("not-a-secret");
    String secret = WebhookReceiver.newSecret();
    CalsyncConfig ok = CalsyncConfig.load(file, java.util.Map.of(NoticesConfig.SECRET_ENV, secret));
    assertThat(ok.notices().webhookSecret()).isEqualTo(secret);
    assertThat(ok.toString()).doesNotContain(secret.substring(6));
    // a config built without the secret (not through load) is refused when the relay starts
    h.configure(new JsonObject().put("notices", new JsonObject().put("webhookUrl", "https://emr.example.org/hook")));
    assertThatThrownBy(() -> h.start(new App.Parts(true, false, false))).hasMessageContaining(NoticesConfig.SECRET_ENV);
    java.nio.file.Files.delete(file);
  }

  @Test
  void theDailyCleanupDeletesNoticesOlderThanTheRetention(Harness h) {
    h.configure(new JsonObject().put("notices", new JsonObject().put("retentionDays", 30))).start(new App.Parts(true, false, false));
    for (String status : new String[] {"delivered", "pending", "dead"}) {
      append(h, "old " + status);
      h.query("UPDATE notices SET status = $1, created_at = now() - interval '31 days' WHERE id = (SELECT max(id) FROM notices)",
          status);
      append(h, "recent " + status);
      h.query("UPDATE notices SET status = $1, created_at = now() - interval '29 days' WHERE id = (SELECT max(id) FROM notices)",
          status);
    }
    JsonObject r = new org.calsync.scheduler.SchedulerTasks(h.vertx, h.config, h.pool()).cleanup().await();
    assertThat(r.getInteger("noticesDeleted")).isEqualTo(3);
    assertThat(h.query("SELECT payload->>'reason' FROM notices ORDER BY id").stream().map(row -> row.getString(0)).toList())
        .containsExactly("recent delivered", "recent pending", "recent dead");
  }

  private static Harness withWebhook(Harness h, String secret, WebhookReceiver receiver, JsonObject notices) {
    h.configure(new JsonObject().put("notices", notices.copy().put("webhookUrl", receiver.url())));
    h.config = h.config.withNotices(h.config.notices().withWebhookSecret(secret));
    return h;
  }

  private static void append(Harness h, String reason) {
    h.pool().withTransaction(conn -> Notices.appendStatus(conn, 1, 1, "needs_reconnect", reason)).await();
  }

  private static JsonObject read(Harness h, long after, int limit, int wait) {
    return h.vertx.eventBus().<JsonObject>request(Addresses.NOTICES_READ,
        new JsonObject().put("after", after).put("limit", limit).put("waitSeconds", wait)).await().body();
  }

  private static List<String> reasons(JsonObject reply) {
    JsonArray a = reply.getJsonArray("notices");
    return a.stream().map(o -> ((JsonObject) o).getJsonObject("data").getString("reason")).toList();
  }
}
