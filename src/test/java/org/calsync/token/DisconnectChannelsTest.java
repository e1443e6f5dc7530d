package org.calsync.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.emulator.FaultProfile;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Disconnect stops the integration's live push channels at Google before revoking the grant, so Google stops
 * delivering; a channels.stop that fails does not hold up the erasure.
 */
@ExtendWith(HarnessExtension.class)
class DisconnectChannelsTest {
  private Harness h;
  private Map<String, Long> ids;
  private List<String> emails;

  @BeforeEach
  void setUp(Harness harness) {
    int port = Harness.freePort();
    h = harness.configure(new JsonObject()
        .put("push", new JsonObject().put("enabled", true).put("webhookUrl", "http://127.0.0.1:" + port + "/webhooks/google")
            .put("listenPort", port)
            .put("checkSeconds", 1).put("debounceMs", 100)));
    h.start(new App.Parts(true, false, true));
    ids = h.connectSeeded(2, 3);
    emails = ids.keySet().stream().sorted().toList();
    h.runCycle();
    Harness.await("a live channel per calendar", () -> h.count("SELECT count(*) FROM push_channels WHERE stopped_at IS NULL "
        + "AND resource_id IS NOT NULL") == 2);
  }

  private JsonObject disconnect(long id) {
    return h.vertx.eventBus().<JsonObject>request(Addresses.INTEGRATION_DISCONNECT, new JsonObject().put("integrationId", id))
        .await().body();
  }

  @Test
  void channelsAreStoppedAtGoogleBeforeTheGrantIsRevoked() {
    String gone = emails.get(0);
    String kept = emails.get(1);
    // Each channel's "sync" message goes out when it is opened and may still be on its way (a busy machine): a message
    // sent before the stop is legitimately delivered after it. Only messages caused by later changes must not come.
    Harness.await("both channels' sync messages handled", () -> notifications("sync") >= 2);
    long stops0 = h.emulator.state().stats().requests("channels.stop 204");

    JsonObject reply = disconnect(ids.get(gone));
    assertThat(reply.getString("revoke")).isEqualTo("revoked");
    assertThat(reply.getLong("channelsStopped")).isEqualTo(1);
    assertThat(reply.getLong("channelsNotStopped")).isZero();
    assertThat(h.emulator.state().stats().requests("channels.stop 204") - stops0).isEqualTo(1);
    assertThat(h.count("SELECT count(*) FROM push_channels p JOIN calendars c ON c.id = p.calendar_id WHERE c.integration_id = $1",
        ids.get(gone))).isZero();

    // Google no longer delivers for the erased calendar; the other integration's channel still works.
    double unknown0 = notifications("unknown_channel");
    double queued0 = notifications("queued");
    h.emulator.state().insertEvent(gone, event("2026-12-08"));
    h.emulator.state().insertEvent(kept, event("2026-12-08"));
    Harness.await("the kept calendar's notification handled", () -> notifications("queued") > queued0);
    Harness.await("the kept calendar converged", () -> h.mirrored(kept).equals(h.truth(kept)));
    assertThat(notifications("unknown_channel")).as("no delivery for the disconnected calendar").isEqualTo(unknown0);
  }

  @Test
  void aFailedChannelStopDoesNotHoldUpErasure() {
    String gone = emails.get(0);
    long id = ids.get(gone);
    h.emulator.state().setFaults(FaultProfile.none().withServerError(1.0).withPaths(Set.of("channels")));

    JsonObject reply = disconnect(id);
    assertThat(reply.getString("revoke")).isEqualTo("revoked");
    assertThat(reply.getLong("channelsStopped")).isZero();
    assertThat(reply.getLong("channelsNotStopped")).isEqualTo(1);
    assertThat(h.emulator.state().stats().requests("channels.stop 5")).as("tried").isPositive();
    assertThat(h.query("SELECT status, credentials FROM user_integrations WHERE id = $1", id).get(0))
        .satisfies(r -> {
          assertThat(r.getString(0)).isEqualTo("disconnected");
          assertThat(r.getValue(1)).isNull();
        });
    assertThat(h.count("SELECT count(*) FROM calendars WHERE integration_id = $1", id)).isZero();
    Harness.await("audited", () -> h.count("SELECT count(*) FROM audit_log WHERE action = 'integration.disconnected' "
        + "AND detail::jsonb ->> 'channelsNotStopped' = '1'") == 1);
  }

  private double notifications(String outcome) {
    Counter c = h.runtime.registry().find("calsync.push.notifications").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  private static JsonObject event(String day) {
    return new JsonObject().put("start", new JsonObject().put("dateTime", day + "T09:00:00Z"))
        .put("end", new JsonObject().put("dateTime", day + "T10:00:00Z"));
  }
}
