package org.calsync.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.bus.FailureCode;
import org.calsync.emulator.SeededUser;
import org.calsync.google.OAuthClient;
import org.calsync.google.OAuthException;
import org.calsync.support.Cli;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Reconnect (bus and CLI) resumes where syncing stopped; disconnect (bus and CLI) revokes and erases. */
@ExtendWith(HarnessExtension.class)
class ConnectionsTest {
  private final String keys = "k1:" + key();
  private final CredentialCipher cipher = CredentialCipher.parse(keys, "test");
  private Harness h;
  private final Map<String, Long> ids = new HashMap<>();
  private final Map<String, String> refreshTokens = new HashMap<>();
  private final List<JsonObject> notices = new CopyOnWriteArrayList<>();

  private static String key() {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    return Base64.getEncoder().encodeToString(raw);
  }

  @BeforeEach
  void setUp(Harness harness) {
    h = harness;
    h.app = App.start(h.vertx, h.config, cipher, h.runtime.registry(), new App.Parts(true, false, false)).await();
    Connections c = new Connections(h.vertx, h.pool(), cipher);
    long userId = 1;
    for (SeededUser u : h.emulator.state().seed(3, 30)) {
      ids.put(u.email(), c.connect(userId++, u.email(), u.refreshToken()).await());
      refreshTokens.put(u.email(), u.refreshToken());
    }
    h.runCycle();
    h.vertx.eventBus().<JsonObject>consumer(Addresses.INTEGRATION_STATUS, m -> notices.add(m.body())).completion().await();
  }

  private String email(int i) {
    return ids.keySet().stream().sorted().toList().get(i);
  }

  private JsonObject request(String address, JsonObject body) {
    return h.vertx.eventBus().<JsonObject>request(address, body).await().body();
  }

  private int failureCode(String address, JsonObject body) {
    try {
      request(address, body);
      throw new AssertionError("expected a failure");
    } catch (ReplyException e) {
      assertThat(e.getMessage()).doesNotContain("1//0");
      return e.failureCode();
    }
  }

  private List<String> calendarState(long id) {
    List<String> out = new ArrayList<>();
    for (Row r : h.query("SELECT id, google_calendar_id, sync_token FROM calendars WHERE integration_id = $1 ORDER BY id", id)) {
      out.add(r.getLong(0) + "/" + r.getString(1) + "/" + (r.getString(2) != null));
    }
    return out;
  }

  private void revokeAndSync(String email) {
    h.emulator.state().revokeUser(email);
    h.runCycle();
    assertThat(h.query("SELECT status FROM user_integrations WHERE id = $1", ids.get(email)).get(0).getString(0)).isEqualTo("needs_reconnect");
  }

  private void assertResumedWithoutDuplicates(String email, List<String> calendarsBefore, long eventsBefore) {
    long id = ids.get(email);
    assertThat(h.query("SELECT status, last_sync_status FROM user_integrations WHERE id = $1", id).get(0).getString(1)).isEqualTo("ok");
    assertThat(calendarState(id)).as("same calendars rows, sync token kept").isEqualTo(calendarsBefore);
    assertThat(h.responseData(id).getBoolean("fullSync")).as("incremental, from the stored sync token").isFalse();
    assertThat(h.mirrored(email)).isEqualTo(h.truth(email));
    assertThat(h.count("SELECT count(*) FROM calendar_events e JOIN calendars c ON c.id = e.calendar_id WHERE c.integration_id = $1", id))
        .isEqualTo(eventsBefore + 1);
  }

  private JsonObject event(String day) {
    return new JsonObject().put("start", new JsonObject().put("dateTime", day + "T10:00:00Z"))
        .put("end", new JsonObject().put("dateTime", day + "T11:00:00Z"));
  }

  @Test
  void reconnectOverTheBusResumesWhereSyncingStopped() {
    String email = email(0);
    long id = ids.get(email);
    List<String> calendarsBefore = calendarState(id);
    long eventsBefore = h.count("SELECT count(*) FROM calendar_events e JOIN calendars c ON c.id = e.calendar_id WHERE c.integration_id = $1", id);
    revokeAndSync(email);
    h.emulator.state().insertEvent(email, event("2026-11-03"));

    String fresh = h.emulator.state().mintRefreshToken(email);
    assertThat(failureCode(Addresses.INTEGRATION_RECONNECT, new JsonObject().put("integrationId", id))).isEqualTo(FailureCode.BAD_REQUEST);
    assertThat(failureCode(Addresses.INTEGRATION_RECONNECT, new JsonObject().put("integrationId", id).put("refreshToken", " ")))
        .isEqualTo(FailureCode.BAD_REQUEST);
    assertThat(failureCode(Addresses.INTEGRATION_RECONNECT, new JsonObject().put("integrationId", 999_999).put("refreshToken", fresh)))
        .isEqualTo(FailureCode.NOT_FOUND);
    assertThat(h.query("SELECT status FROM user_integrations WHERE id = $1", id).get(0).getString(0)).isEqualTo("needs_reconnect");

    JsonObject reply = request(Addresses.INTEGRATION_RECONNECT, new JsonObject().put("integrationId", id).put("refreshToken", fresh));
    assertThat(reply.getString("status")).isEqualTo("active");
    h.awaitQueueDrained(30);
    assertResumedWithoutDuplicates(email, calendarsBefore, eventsBefore);
    Harness.eventually(() -> assertThat(notices).extracting(n -> n.getString("status"))
        .containsExactly("needs_reconnect", "active"));
    Harness.await("the reconnection audited",
        () -> h.count("SELECT count(*) FROM audit_log WHERE action = 'integration.reconnected' AND integration_id = $1", id) > 0);
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'integration.reconnected' AND integration_id = $1", id)).isEqualTo(1);
  }

  @Test
  void reconnectFromTheCommandLineResumesWhereSyncingStopped() {
    String email = email(1);
    long id = ids.get(email);
    List<String> calendarsBefore = calendarState(id);
    long eventsBefore = h.count("SELECT count(*) FROM calendar_events e JOIN calendars c ON c.id = e.calendar_id WHERE c.integration_id = $1", id);
    revokeAndSync(email);
    h.emulator.state().insertEvent(email, event("2026-11-04"));
    String fresh = h.emulator.state().mintRefreshToken(email);

    var config = Cli.configFile(h, new JsonObject().put("token", new JsonObject().put("keys", keys)));
    Cli.Run run = Cli.run(fresh + "\n", "connect", "-c", config.toString(), "--integration-id", String.valueOf(id));
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("reconnected integration " + id).doesNotContain(fresh);
    // The CLI's process queued the manual sync; this daemon's workers pick it up.
    h.vertx.eventBus().publish(Addresses.JOBS_AVAILABLE, new JsonObject());
    h.awaitQueueDrained(30);
    assertResumedWithoutDuplicates(email, calendarsBefore, eventsBefore);
  }

  @Test
  void disconnectOverTheBusRevokesErasesAndAudits() {
    String email = email(0);
    long id = ids.get(email);
    long otherEvents = h.count("SELECT count(*) FROM calendar_events");
    long calId = h.longValue("SELECT id FROM calendars WHERE integration_id = $1", id);
    h.query("INSERT INTO push_channels (id, calendar_id, resource_id, token_hash, expires_at) VALUES ('ch-1', $1, 'res', '\\x00', now() + interval '1 day')", calId);
    h.query("INSERT INTO failed_jobs (integration_id, kind, attempts, error_class, error) VALUES ($1, 'sync', 3, 'x', 'y')", id);
    h.query("INSERT INTO jobs (integration_id, available_at) VALUES ($1, now() + interval '1 hour')", id);
    long mine = h.count("SELECT count(*) FROM calendar_events e JOIN calendars c ON c.id = e.calendar_id WHERE c.integration_id = $1", id);

    JsonObject reply = request(Addresses.INTEGRATION_DISCONNECT, new JsonObject().put("integrationId", id));
    assertThat(reply.getString("status")).isEqualTo("disconnected");
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'integration.disconnected' AND integration_id = $1", id))
        .as("audited in the erasure's own transaction, not after it").isEqualTo(1);
    assertThat(reply.getString("revoke")).isEqualTo("revoked");
    assertThat(reply.getLong("eventsErased")).isEqualTo(mine).isPositive();
    assertThat(reply.getLong("calendarsErased")).isEqualTo(1);
    assertThat(reply.getLong("jobsErased")).isEqualTo(2);
    assertThat(reply.getLong("channelsStopped")).isEqualTo(1);

    // Google no longer honours the grant.
    OAuthClient oauth = h.app.google().oauth();
    assertThatThrownBy(() -> oauth.refresh(refreshTokens.get(email)).await())
        .isInstanceOfSatisfying(OAuthException.class, e -> assertThat(e.kind()).isEqualTo(OAuthException.Kind.REVOKED));
    // Our copy is gone.
    Row row = h.query("SELECT credentials, key_id, account_email, status, access_expires_at FROM user_integrations WHERE id = $1", id).get(0);
    assertThat(row.getValue(0)).isNull();
    assertThat(row.getValue(1)).isNull();
    assertThat(row.getValue(2)).isNull();
    assertThat(row.getString(3)).isEqualTo("disconnected");
    assertThat(h.count("SELECT count(*) FROM calendars WHERE integration_id = $1", id)).isZero();
    assertThat(h.count("SELECT count(*) FROM jobs WHERE integration_id = $1", id)).isZero();
    assertThat(h.count("SELECT count(*) FROM failed_jobs WHERE integration_id = $1", id)).isZero();
    assertThat(h.count("SELECT count(*) FROM push_channels")).isZero();
    assertThat(h.count("SELECT count(*) FROM calendar_events")).isEqualTo(otherEvents - mine);
    // the relay publishes the committed notice shortly after
    Harness.eventually(() -> assertThat(notices).hasSize(1));
    assertThat(notices.get(0).getString("status")).isEqualTo("disconnected");
    assertThat(failureCode(Addresses.TOKEN_GET, new JsonObject().put("integrationId", id))).isEqualTo(FailureCode.NEEDS_RECONNECT);

    // Later cycles leave it alone; nothing comes back; the others still sync.
    h.runCycle();
    assertThat(h.count("SELECT count(*) FROM calendars WHERE integration_id = $1", id)).isZero();
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE status = 'active' AND last_sync_status = 'ok'")).isEqualTo(2);
    // A disconnected integration cannot get calendars back, e.g. from a sync that was in flight.
    assertThatThrownBy(() -> h.query("INSERT INTO calendars (integration_id, google_calendar_id) VALUES ($1, 'x')", id))
        .hasMessageContaining("disconnected");
    // Reconnecting it is refused: connect a new integration instead.
    assertThat(failureCode(Addresses.INTEGRATION_RECONNECT, new JsonObject().put("integrationId", id)
        .put("refreshToken", h.emulator.state().mintRefreshToken(email)))).isEqualTo(FailureCode.NOT_FOUND);

    // Idempotent, one status notice only.
    JsonObject again = request(Addresses.INTEGRATION_DISCONNECT, new JsonObject().put("integrationId", id));
    assertThat(again.getString("revoke")).startsWith("skipped");
    Harness.await("the relayed status notice", () -> notices.size() == 1);
    assertThat(failureCode(Addresses.INTEGRATION_DISCONNECT, new JsonObject().put("integrationId", 999_999))).isEqualTo(FailureCode.NOT_FOUND);
    assertThat(failureCode(Addresses.INTEGRATION_DISCONNECT, new JsonObject())).isEqualTo(FailureCode.BAD_REQUEST);

    List<Row> audit = h.query("SELECT actor, detail FROM audit_log WHERE action = 'integration.disconnected' AND integration_id = $1 ORDER BY id", id);
    assertThat(audit).hasSize(2);
    JsonObject detail = new JsonObject(audit.get(0).getString(1));
    assertThat(detail.getString("revoke")).isEqualTo("revoked");
    assertThat(detail.getLong("eventsErased")).isEqualTo(mine);
    assertThat(audit.get(0).getString(1)).doesNotContain(email).doesNotContain("@").doesNotContain(refreshTokens.get(email));
  }

  @Test
  void disconnectFromTheCommandLineErasesEvenWhenRevokeFails() {
    String email = email(2);
    long id = ids.get(email);
    var config = Cli.configFile(h, new JsonObject().put("token", new JsonObject().put("keys", keys))
        .put("google", new JsonObject().put("revokeUrl", h.emulator.baseUrl() + "/no-such-endpoint")));
    Cli.Run run = Cli.run(null, "disconnect", "-c", config.toString(), String.valueOf(id));
    assertThat(run.exit()).as(run.out()).isEqualTo(1);
    assertThat(run.out()).contains("revoke failed: http_404").contains("disconnected integration " + id);
    assertThat(h.query("SELECT credentials FROM user_integrations WHERE id = $1", id).get(0).getValue(0)).isNull();
    assertThat(h.count("SELECT count(*) FROM calendars WHERE integration_id = $1", id)).isZero();
    assertThat(new JsonObject(h.query("SELECT detail FROM audit_log WHERE action = 'integration.disconnected' AND integration_id = $1", id)
        .get(0).getString(0)).getString("revoke")).isEqualTo("failed: http_404");
    assertThat(Cli.run(null, "disconnect", "-c", config.toString(), "424242").exit()).isEqualTo(2);
  }
}
