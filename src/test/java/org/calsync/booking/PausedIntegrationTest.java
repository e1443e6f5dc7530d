package org.calsync.booking;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calsync.support.Cli;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * pause / resume through the CLI against a running worker and write-back: a paused integration is neither synced nor
 * written (its appointment waits, not failed), nothing is erased, and resume catches up incrementally. Audited as the
 * operating-system user.
 */
@ExtendWith(HarnessExtension.class)
class PausedIntegrationTest {
  private BookingSupport b;
  private Path config;

  @BeforeEach
  void setUp(Harness h) {
    b = new BookingSupport(h, new JsonObject());
    config = Cli.configFile(h, new JsonObject().put("token", new JsonObject().put("keys", h.keys)));
    b.insert(b.timed(1, "09:00", "10:00"));
    b.h.runCycle();
  }

  private Cli.Run cli(String... words) {
    List<String> args = new ArrayList<>(List.of(words));
    args.addAll(List.of("-c", config.toString()));
    return Cli.run(null, args.toArray(new String[0]));
  }

  @Test
  void pausedIntegrationsAreLeftAloneAndCatchUpWhenResumed() {
    long id = b.integrationId;
    String token = b.h.query("SELECT sync_token FROM calendars WHERE integration_id = $1", id).get(0).getString(0);
    assertThat(token).isNotNull();
    long mirrored = b.h.count("SELECT count(*) FROM calendar_events");

    Cli.Run pause = cli("pause", Long.toString(id));
    assertThat(pause.exit()).as(pause.out()).isZero();
    assertThat(pause.stdout()).isEqualTo("paused integration " + id + "; nothing is synced or written until: resume " + id + "\n");
    assertThat(cli("pause", Long.toString(id)).stdout()).contains("already paused");
    assertThat(b.h.query("SELECT status FROM user_integrations WHERE id = $1", id).get(0).getString(0)).isEqualTo("paused");

    // no write-back: the appointment waits (no attempt, no failure); no sync: manual refused, cycles skip it
    JsonObject reply = b.request("calsync.appointment.booked", new JsonObject().put("appointmentId", "P-1")
        .put("integrationId", id).put("start", b.at(2, "10:00")).put("end", b.at(2, "10:30")));
    assertThat(reply.getBoolean("written")).isFalse();
    Cli.Run sync = cli("sync", Long.toString(id));
    assertThat(sync.exit()).isEqualTo(1);
    assertThat(sync.stderr()).contains("integration " + id + " is paused").contains("resume " + id);
    b.h.runCycle();
    String added = b.insert(b.timed(3, "11:00", "12:00"));
    b.h.runCycle();
    assertThat(b.h.count("SELECT count(*) FROM calendar_events WHERE google_event_id = $1", added)).as("not synced").isZero();
    assertThat(b.h.count("SELECT count(*) FROM calendar_events")).as("nothing erased").isEqualTo(mirrored);
    assertThat(b.h.query("SELECT sync_token FROM calendars WHERE integration_id = $1", id).get(0).getString(0)).isEqualTo(token);
    assertThat(b.h.count("SELECT count(*) FROM appointments WHERE id = 'P-1' AND write_attempts = 0 AND write_failed_at IS NULL "
        + "AND last_write_error IS NULL AND written_version < version")).isEqualTo(1);
    assertThat(b.googleEventsOf("P-1")).isEmpty();

    Cli.Run list = cli("integrations", "list", "--status", "paused");
    assertThat(list.stdout()).startsWith("id  user  e-mail").contains(b.cal).endsWith("1 integrations paused\n");
    JsonObject shown = cli("integrations", "show", Long.toString(id), "--json").json();
    assertThat(shown.getString("status")).isEqualTo("paused");
    assertThat(shown.getJsonArray("pendingWrites").getJsonObject(0).getString("appointmentId")).isEqualTo("P-1");
    assertThat(shown.getJsonArray("calendarList").getJsonObject(0).getBoolean("countsAsBusy")).isTrue();
    assertThat(cli("integrations", "show", Long.toString(id)).stdout()).contains("pending appointment writes: 1").contains("P-1")
        .contains("paused by an operator");

    Cli.Run resume = cli("resume", Long.toString(id));
    assertThat(resume.exit()).as(resume.out()).isZero();
    assertThat(resume.stdout()).isEqualTo("resumed integration " + id + "; a catch-up sync is queued\n");
    b.h.awaitQueueDrained(60);
    Harness.await("the added event mirrored", () -> b.h.count("SELECT count(*) FROM calendar_events WHERE google_event_id = $1", added) == 1);
    assertThat(b.h.responseData(id).getBoolean("fullSync")).as("caught up with the stored sync token").isFalse();
    Harness.await("the waiting appointment written", () -> b.googleEventsOf("P-1").size() == 1);

    String user = System.getProperty("user.name");
    Harness.await("pause and resume audited", () -> b.h.count("SELECT count(*) FROM audit_log WHERE integration_id = $1 AND actor = $2 "
        + "AND action IN ('integration.paused', 'integration.resumed')", id, user) == 2);
    assertThat(cli("resume", Long.toString(id)).stdout()).contains("is not paused (active)");
    assertThat(cli("pause", "424242").exit()).isEqualTo(2);
  }
}
