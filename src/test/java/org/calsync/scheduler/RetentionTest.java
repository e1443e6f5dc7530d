package org.calsync.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.calsync.App;
import org.calsync.config.CalsyncConfig;
import org.calsync.config.ConfigException;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The daily cleanup prunes past appointments, their conflict reports and mirror rows that only describe the past,
 * in batches, past their configured ages; it keeps anything still to be done and every audit record.
 */
@ExtendWith(HarnessExtension.class)
class RetentionTest {
  @Test
  void cleanupDeletesOnlyWhatIsPastItsRetention(Harness h) {
    h.configure(new JsonObject().put("scheduler", new JsonObject().put("appointmentRetentionDays", 60)
        .put("conflictReportRetentionDays", 60).put("mirrorRetentionDays", 20)));
    h.start(new App.Parts(false, false, false));
    long integration = h.connectSeeded(1, 0).values().iterator().next();
    long cal = h.longValue("INSERT INTO calendars (integration_id, google_calendar_id) VALUES ($1, 'c@x') RETURNING id", integration);

    h.query("INSERT INTO appointments (id, integration_id, start_at, end_at, version, written_version) VALUES "
        + "('old-written', $1, now() - interval '70 days', now() - interval '70 days' + interval '30 minutes', 2, 2), "
        + "('old-pending', $1, now() - interval '70 days', now() - interval '70 days' + interval '30 minutes', 3, 2), "
        + "('recent', $1, now() - interval '50 days', now() - interval '50 days' + interval '30 minutes', 1, 1), "
        + "('upcoming', $1, now() + interval '5 days', now() + interval '5 days' + interval '30 minutes', 1, 1)", integration);
    h.query("INSERT INTO conflict_reports (appointment_id, appt_start, event_id, busy_start, busy_end, integration_id) VALUES "
        + "('a1', now() - interval '61 days', 'e', now(), now(), $1), ('a2', now() - interval '59 days', 'e', now(), now(), $1), "
        + "('a3', now() + interval '100 days', 'e', now(), now(), $1)", integration);
    h.query("INSERT INTO calendar_events (calendar_id, google_event_id, status, start_at, end_at, original_start, recurrence) VALUES "
        + "($1, 'x_old', 'cancelled', NULL, NULL, now() - interval '30 days', NULL), "
        + "($1, 'x_recent', 'cancelled', NULL, NULL, now() - interval '10 days', NULL), "
        + "($1, 'x_future', 'cancelled', NULL, NULL, now() + interval '10 days', NULL), "
        + "($1, 'past_confirmed', 'confirmed', now() - interval '30 days', now() - interval '30 days', NULL, NULL), "
        + "($1, 'cancelled_series', 'cancelled', now() - interval '300 days', now() - interval '300 days', NULL, 'RRULE:FREQ=DAILY')", cal);
    h.query("INSERT INTO busy_blocks (calendar_id, root_id, event_id, start_at, end_at) "
        + "SELECT $1, 'r' || g, 'r' || g, now() - interval '40 days' + g * interval '1 minute', "
        + "now() - interval '40 days' + g * interval '1 minute' + interval '30 seconds' FROM generate_series(1, 2500) g", cal);
    h.query("INSERT INTO busy_blocks (calendar_id, root_id, event_id, start_at, end_at) VALUES "
        + "($1, 'spans', 'spans', now() - interval '30 days', now() - interval '1 day'), "
        + "($1, 'recent', 'recent', now() - interval '2 days', now() - interval '2 days' + interval '1 hour')", cal);
    long audit = h.count("SELECT count(*) FROM audit_log");

    JsonObject r = new SchedulerTasks(h.vertx, h.config, h.pool()).cleanup().await();

    assertThat(r.getLong("appointmentsDeleted")).isEqualTo(1);
    assertThat(strings(h, "SELECT id FROM appointments ORDER BY id")).as("pending writes stay whatever their age")
        .containsExactly("old-pending", "recent", "upcoming");
    assertThat(r.getLong("conflictReportsDeleted")).isEqualTo(1);
    assertThat(strings(h, "SELECT appointment_id FROM conflict_reports ORDER BY 1")).containsExactly("a2", "a3");
    assertThat(r.getLong("cancelledEventsDeleted")).isEqualTo(1);
    assertThat(strings(h, "SELECT google_event_id FROM calendar_events ORDER BY 1"))
        .containsExactly("cancelled_series", "past_confirmed", "x_future", "x_recent");
    assertThat(r.getLong("busyBlocksDeleted")).as("more than one batch").isEqualTo(2500);
    assertThat(strings(h, "SELECT root_id FROM busy_blocks ORDER BY 1")).containsExactly("recent", "spans");
    assertThat(h.count("SELECT count(*) FROM audit_log")).as("no audit record deleted").isGreaterThanOrEqualTo(audit);

    JsonObject again = new SchedulerTasks(h.vertx, h.config, h.pool()).cleanup().await();
    assertThat(again.getLong("appointmentsDeleted") + again.getLong("conflictReportsDeleted")
        + again.getLong("cancelledEventsDeleted") + again.getLong("busyBlocksDeleted")).as("nothing more is old enough").isZero();
  }

  @Test
  void retentionShorterThanTheBusyWindowIsRefusedNamingTheKey() {
    for (String key : new String[] {"appointmentRetentionDays", "conflictReportRetentionDays", "mirrorRetentionDays"}) {
      assertThatThrownBy(() -> CalsyncConfig.fromJson(base().put("scheduler", new JsonObject().put(key, 7))))
          .isInstanceOf(ConfigException.class).hasMessageContaining("scheduler." + key);
    }
    var s = CalsyncConfig.fromJson(base()).scheduler();
    assertThat(new int[] {s.appointmentRetentionDays(), s.conflictReportRetentionDays(), s.mirrorRetentionDays()})
        .containsExactly(90, 90, 30);
  }

  private static JsonObject base() {
    return new JsonObject().put("db", new JsonObject().put("url", "postgresql://calsync@127.0.0.1:5432/calsync"))
        .put("google", new JsonObject().put("clientId", "id").put("clientSecret", "secret"));
  }

  private static java.util.List<String> strings(Harness h, String sql) {
    return h.query(sql).stream().map(row -> row.getString(0)).toList();
  }
}
