package org.calsync.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.scheduler.SchedulerTasks;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A refresh token returned by Google replaces the stored one; the weekly health check counts and notifies once. */
@ExtendWith(HarnessExtension.class)
class TokenHealthAndRotationTest {
  private Harness h;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.start(new App.Parts(true, false, false));
  }

  private String storedRefreshToken(long id) {
    Row r = h.query("SELECT key_id, credentials FROM user_integrations WHERE id = $1", id).get(0);
    return h.cipher.open(id, r.getString(0), r.getBuffer(1).getBytes()).getString("refresh_token");
  }

  @Test
  void rotatedRefreshTokenIsStoredAndUsedNextTime() {
    Map<String, Long> ids = h.connectSeeded(2, 3);
    Map<Long, String> original = new java.util.HashMap<>();
    ids.values().forEach(id -> original.put(id, storedRefreshToken(id)));
    h.emulator.state().rotateRefreshTokens(true);
    long r0 = h.emulator.state().stats().tokenRefreshes();

    h.runCycle();
    for (long id : ids.values()) assertThat(storedRefreshToken(id)).isNotEqualTo(original.get(id)).startsWith("1//0");
    // The emulator revoked the old tokens: a second refresh only works with the stored new ones.
    h.emulator.state().expireAccessTokens();
    h.runCycle();
    h.emulator.state().rotateRefreshTokens(false);
    h.emulator.state().expireAccessTokens();
    h.runCycle();

    assertThat(h.emulator.state().stats().tokenRefreshes()).isEqualTo(r0 + 6);
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE status = 'active' AND last_sync_status = 'ok'"))
        .isEqualTo(2);
    Harness.await("every refresh audited", () -> h.count("SELECT count(*) FROM audit_log WHERE action = 'token.refreshed'") >= 6);
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'token.refreshed' AND detail::jsonb ->> 'rotated' = 'true'")).isEqualTo(4);
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'token.refreshed'")).isEqualTo(6);
  }

  @Test
  void tokenHealthCountsAndNotifiesTheRevokedUserOnce() {
    Map<String, Long> ids = h.connectSeeded(4, 2);
    h.runCycle();
    List<JsonObject> notices = new CopyOnWriteArrayList<>();
    h.vertx.eventBus().<JsonObject>consumer(Addresses.INTEGRATION_STATUS, m -> notices.add(m.body())).completion().await();
    String revoked = ids.keySet().stream().sorted().findFirst().orElseThrow();
    h.emulator.state().revokeUser(revoked);

    SchedulerTasks tasks = new SchedulerTasks(h.vertx, h.config, h.pool());
    JsonObject first = tasks.tokenHealth().await();
    assertThat(first.getInteger("checked")).isEqualTo(4);
    assertThat(first.getInteger("healthy")).isEqualTo(3);
    assertThat(first.getInteger("needsReconnect")).isEqualTo(1);
    assertThat(first.getInteger("errors")).isZero();

    JsonObject second = tasks.tokenHealth().await();
    assertThat(second.getInteger("checked")).as("only active integrations").isEqualTo(3);
    assertThat(second.getInteger("needsReconnect")).isZero();
    Harness.await("the notice delivered and both checks audited", () -> !notices.isEmpty()
        && h.count("SELECT count(*) FROM audit_log WHERE action = 'scheduler.token_health'") >= 2);
    assertThat(notices).hasSize(1);
    assertThat(notices.get(0).getLong("integrationId")).isEqualTo(ids.get(revoked));
    assertThat(notices.get(0).getString("status")).isEqualTo("needs_reconnect");
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'integration.needs_reconnect'")).isEqualTo(1);
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'scheduler.token_health'")).isEqualTo(2);
  }
}
