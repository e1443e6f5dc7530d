package org.calsync.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.emulator.EmulatorOptions;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.calsync.support.Harnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Silent refresh of access tokens, invalid_grant turning an integration to needs_reconnect, and unauthorized_client
 * (a client configuration error) leaving every integration connected.
 */
@ExtendWith(HarnessExtension.class)
class TokenLifecycleTest {
  private static final App.Parts WORKERS = new App.Parts(true, false, false);

  @Test
  void expiredAccessTokenIsRefreshedSilentlyAndOnlyWhenNeeded(Harness h) {
    h.start(WORKERS);
    Map<String, Long> ids = h.connectSeeded(5, 5);
    long refreshes0 = h.emulator.state().stats().tokenRefreshes();
    h.runCycle();
    assertThat(h.emulator.state().stats().tokenRefreshes()).as("one refresh per integration").isEqualTo(refreshes0 + 5);

    h.runCycle();
    assertThat(h.emulator.state().stats().tokenRefreshes()).as("cached tokens reused").isEqualTo(refreshes0 + 5);

    h.emulator.state().expireAccessTokens();
    String cal = ids.keySet().iterator().next();
    h.emulator.state().insertEvent(cal, new JsonObject().put("start", new JsonObject().put("dateTime", "2026-12-01T10:00:00Z"))
        .put("end", new JsonObject().put("dateTime", "2026-12-01T10:30:00Z")));
    long unauthorized0 = h.emulator.state().stats().requests(" 401");
    h.runCycle();

    assertThat(h.emulator.state().stats().requests(" 401")).as("each stale token refused once").isEqualTo(unauthorized0 + 5);
    assertThat(h.emulator.state().stats().tokenRefreshes()).as("one silent refresh each").isEqualTo(refreshes0 + 10);
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE status = 'active' AND last_sync_status = 'ok'")).isEqualTo(5);
    assertThat(h.mirrored(cal)).isEqualTo(h.truth(cal));
    assertThat(h.count("SELECT count(*) FROM failed_jobs")).isZero();
  }

  @Test
  void tokenCloseToExpiryIsRefreshedAheadOfTime(Harnesses worlds) {
    // Google hands out tokens that live 200 s: inside the 300 s buffer, so every use refreshes first.
    Harness h = worlds.open(EmulatorOptions.defaults().withAccessTokenTtlSeconds(200)).start(WORKERS);
    h.connectSeeded(2, 3);
    long r0 = h.emulator.state().stats().tokenRefreshes();
    h.runCycle();
    h.runCycle();
    assertThat(h.emulator.state().stats().tokenRefreshes()).isEqualTo(r0 + 4);
    assertThat(h.emulator.state().stats().requests(" 401")).isZero();
  }

  @Test
  void invalidGrantMarksNeedsReconnectNotifiesOnceAndStopsJobs(Harness h) {
    h.start(WORKERS);
    Map<String, Long> ids = h.connectSeeded(3, 4);
    h.runCycle();
    List<JsonObject> notices = new CopyOnWriteArrayList<>();
    h.vertx.eventBus().<JsonObject>consumer(Addresses.INTEGRATION_STATUS, m -> notices.add(m.body())).completion().await();

    String email = ids.keySet().stream().sorted().findFirst().orElseThrow();
    long id = ids.get(email);
    h.emulator.state().revokeUser(email);
    long refreshes0 = h.emulator.state().stats().requests("token 400");
    h.runCycle();
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'integration.needs_reconnect' AND integration_id = $1", id)).as("audited in the status change's own transaction").isEqualTo(1);
    h.runCycle();
    h.runCycle();
    Harness.await("the status change delivered", () -> !notices.isEmpty());

    assertThat(h.query("SELECT status, status_reason FROM user_integrations WHERE id = $1", id).get(0).getString(0))
        .isEqualTo("needs_reconnect");
    assertThat(notices).as("one notification").hasSize(1);
    assertThat(notices.get(0).getLong("integrationId")).isEqualTo(id);
    assertThat(notices.get(0).getString("status")).isEqualTo("needs_reconnect");
    assertThat(h.emulator.state().stats().requests("token 400")).as("no retry storm: one failed refresh").isEqualTo(refreshes0 + 1);
    assertThat(h.count("SELECT count(*) FROM jobs WHERE integration_id = $1", id)).isZero();
    assertThat(h.count("SELECT count(*) FROM failed_jobs")).as("not a failure to retry").isZero();
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'integration.needs_reconnect' AND integration_id = $1", id)).isEqualTo(1);
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE status = 'active' AND last_sync_status = 'ok'")).isEqualTo(2);
  }
  @Test
  void unauthorizedClientFailsTheJobsLoudlyAndDisconnectsNobody(Harness h) {
    // The daemon is configured with another (valid) OAuth client than the one the grants were issued to.
    h.emulator.state().registerClient("other-client", "other-secret");
    h.configure(new JsonObject().put("google", new JsonObject().put("clientId", "other-client").put("clientSecret", "other-secret")));
    h.start(WORKERS);
    List<JsonObject> notices = new CopyOnWriteArrayList<>();
    h.vertx.eventBus().<JsonObject>consumer(Addresses.INTEGRATION_STATUS, m -> notices.add(m.body())).completion().await();
    Map<String, Long> ids = h.connectSeeded(3, 2);
    h.runCycle();
    Harness.await("the refused refreshes audited", () -> !notices.isEmpty()
        && h.count("SELECT count(*) FROM audit_log WHERE action = 'token.refresh_failed'") >= 3);

    assertThat(h.emulator.state().stats().requests("token 400")).as("one refused refresh per job, no retry").isEqualTo(3);
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE status = 'active'")).isEqualTo(3);
    assertThat(notices).as("no status change").extracting(n -> n.getString("status")).containsOnly("active");
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'integration.needs_reconnect'")).isZero();
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'token.refresh_failed' "
        + "AND detail::jsonb ->> 'error' = 'unauthorized_client'")).isEqualTo(3);
    assertThat(h.query("SELECT error_class, error FROM failed_jobs")).hasSize(3).allSatisfy(r -> {
      assertThat(r.getString(0)).isEqualTo("bus.500");
      assertThat(r.getString(1)).contains("unauthorized_client");
    });

    // Fixing the configuration is enough: no reconnect needed.
    h.app.close().await();
    h.configure(new JsonObject());
    h.start(WORKERS);
    h.runCycle();
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE status = 'active' AND last_sync_status = 'ok'")).isEqualTo(3);
    for (String cal : ids.keySet()) assertThat(h.mirrored(cal)).isEqualTo(h.truth(cal));
  }
}
