package org.calsync.notices;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.calsync.App;
import org.calsync.VertxRuntime;
import org.calsync.bus.Addresses;
import org.calsync.db.Notices;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.calsync.token.Disconnections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The outbox: a notice commits with its change or not at all, reads are ordered and resumable, long-polls wake on a
 * new notice, and a change made by another process (as a CLI command does) reaches this process's bus consumers.
 * The relay's poll is set to a minute so that only LISTEN/NOTIFY can wake it within the waits here.
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
