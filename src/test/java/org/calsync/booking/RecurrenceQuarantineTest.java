package org.calsync.booking;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.OffsetDateTime;
import org.calsync.App;
import org.calsync.mirror.BusyBlocks;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pathological recurring events in a real calendar's mirror (rules Google accepts from other systems' invitations,
 * written into calendar_events as the sync would), expanded by the booking sweep's rebuild against PostgreSQL: bounded
 * rows, correct busy time, the quarantined one recorded and shown in status and metrics, the rest of the calendar intact.
 */
@ExtendWith(HarnessExtension.class)
class RecurrenceQuarantineTest {
  private static final String MASTER = "INSERT INTO calendar_events (calendar_id, google_event_id, status, start_at, end_at, "
      + "recurrence, time_zone) VALUES ($1, $2, 'confirmed', $3, $4, $5, 'UTC')";

  @Test
  void pathologicalSeriesAreBoundedQuarantinedAndBusy(Harness h) {
    BookingSupport b = new BookingSupport(h, new JsonObject(), null, new App.Parts(true, false, true));
    String normal = b.insert(b.timed(1, "09:00", "10:00"));
    b.h.runCycle();
    long cal = b.h.query("SELECT id FROM calendars").get(0).getLong(0);
    OffsetDateTime y1970 = OffsetDateTime.parse("1970-01-01T00:00:00Z");
    OffsetDateTime y1900 = OffsetDateTime.parse("1900-01-01T08:00:00Z");
    OffsetDateTime y2020 = OffsetDateTime.parse("2020-03-01T09:00:00Z");
    b.h.query(MASTER, cal, "secondly", y1970, y1970.plusSeconds(1), "RRULE:FREQ=SECONDLY;COUNT=1000000000");
    b.h.query(MASTER, cal, "minutely", y1900, y1900.plusMinutes(30), "RRULE:FREQ=MINUTELY");
    b.h.query(MASTER, cal, "hourly", y2020, y2020.plusDays(365), "RRULE:FREQ=HOURLY");
    b.h.query("UPDATE calendars SET busy_expanded_at = now() - interval '2 days' WHERE id = $1", cal);
    Harness.eventually(() -> assertThat(b.h.count("SELECT count(*) FROM busy_quarantine")).isEqualTo(1));

    // window: 7 days back to booking.horizonDays (183) ahead, one row per day at most
    assertThat(rows(b, "secondly")).as("ended in 2001").isZero();
    assertThat(rows(b, "minutely")).isBetween(190L, 191L);
    assertThat(rows(b, "hourly")).as("today's main: 519,080").isBetween(190L, 191L);
    assertThat(rows(b, normal)).isEqualTo(1);
    var q = b.h.query("SELECT root_id, reason, span_start, span_end FROM busy_quarantine WHERE calendar_id = $1", cal).get(0);
    assertThat(q.getString(0)).isEqualTo("minutely");
    assertThat(q.getString(1)).contains("instances in the window");
    assertThat(q.getOffsetDateTime(2).toInstant()).isEqualTo(y1900.toInstant());
    assertThat(q.getOffsetDateTime(3)).as("open-ended").isNull();

    // busy all day, every day of the window; the billion-second series is long over
    assertThat(b.conflicts(b.at(20, "05:00"), b.at(20, "05:10"), null)).extracting(o -> ((JsonObject) o).getString("eventId"))
        .containsExactlyInAnyOrder("minutely", "hourly");
    assertThat(b.conflicts(b.at(1, "09:00"), b.at(1, "09:30"), null)).extracting(o -> ((JsonObject) o).getString("eventId"))
        .containsExactlyInAnyOrder("minutely", "hourly", normal);

    JsonObject status = BusyBlocks.quarantined(b.h.pool()).await();
    assertThat(status.getLong("events")).isEqualTo(1);
    assertThat(status.getJsonArray("latest").getJsonObject(0).getString("eventId")).isEqualTo("minutely");
    WebClient web = WebClient.create(b.h.vertx);
    try {
      Harness.eventually(() -> assertThat(web.get(b.h.app.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString()
          .lines()).contains("calsync_busy_quarantined_events 1.0"));
    } finally {
      web.close();
    }

    // the organiser tames the rule: the next rebuild clears the quarantine
    b.h.query("UPDATE calendar_events SET recurrence = 'RRULE:FREQ=DAILY' WHERE google_event_id = 'minutely'");
    b.h.query("UPDATE calendars SET busy_expanded_at = now() - interval '2 days' WHERE id = $1", cal);
    Harness.eventually(() -> assertThat(b.h.count("SELECT count(*) FROM busy_quarantine")).isZero());
    assertThat(rows(b, "minutely")).isBetween(190L, 192L);
    assertThat(b.conflicts(b.at(20, "05:00"), b.at(20, "05:10"), null)).extracting(o -> ((JsonObject) o).getString("eventId"))
        .containsExactly("hourly");
  }

  private static long rows(BookingSupport b, String root) {
    return b.h.count("SELECT count(*) FROM busy_blocks WHERE root_id = $1", root);
  }
}
