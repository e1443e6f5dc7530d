package org.calsync.booking;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Busy time synced from the emulator into busy_blocks, read back through the conflict and availability addresses. */
@ExtendWith(HarnessExtension.class)
class BusyMirrorTest {
  private BookingSupport b;

  @BeforeEach
  void setUp(Harness h) {
    b = new BookingSupport(h, new JsonObject().put("horizonDays", 70));
  }

  private static String utc(String rfc3339) {
    return OffsetDateTime.parse(rfc3339).toInstant().toString();
  }

  @Test
  void googleBusySemanticsRecurrenceAndHorizon() {
    String opaque = b.insert(b.timed(0, "09:00", "10:00"));
    b.insert(b.timed(0, "11:00", "12:00").put("transparency", "transparent"));
    b.insert(b.timed(0, "13:00", "14:00").put("attendees", new JsonArray()
        .add(new JsonObject().put("email", b.cal).put("responseStatus", "declined"))
        .add(new JsonObject().put("email", "organizer@else.test").put("responseStatus", "accepted"))));
    String gone = b.insert(b.timed(0, "15:00", "16:00"));
    b.h.emulator.state().deleteEvent(b.cal, gone);
    String allDay = b.insert(new JsonObject().put("summary", "conference")
        .put("start", new JsonObject().put("date", b.monday.plusDays(1).toString()))
        .put("end", new JsonObject().put("date", b.monday.plusDays(2).toString())));
    // Wednesdays 09:00-10:00 Toronto, no end; week 2 moved to Thursday 14:00, week 3 cancelled.
    String weekly = b.insert(b.timed(2, "09:00", "10:00").put("recurrence", new JsonArray().add("RRULE:FREQ=WEEKLY")));
    String moved = BookingSupport.instanceId(weekly, b.at(9, "09:00"));
    b.h.emulator.state().patchEvent(b.cal, moved, new JsonObject()
        .put("start", new JsonObject().put("dateTime", b.at(10, "14:00")))
        .put("end", new JsonObject().put("dateTime", b.at(10, "15:00"))));
    b.h.emulator.state().deleteEvent(b.cal, BookingSupport.instanceId(weekly, b.at(16, "09:00")));

    b.h.runCycle();

    // opaque blocks; transparent, declined and cancelled do not
    JsonArray c = b.conflicts(b.at(0, "09:30"), b.at(0, "09:45"), null);
    assertThat(c).hasSize(1);
    assertThat(c.getJsonObject(0).getString("eventId")).isEqualTo(opaque);
    assertThat(b.conflicts(b.at(0, "10:00"), b.at(0, "17:00"), null)).isEmpty();
    // all-day blocks the local day in Toronto, from local midnight (not UTC midnight)
    JsonArray night = b.conflicts(b.at(0, "23:00"), b.at(1, "01:00"), null);
    assertThat(night).hasSize(1);
    assertThat(night.getJsonObject(0).getString("eventId")).isEqualTo(allDay);
    assertThat(night.getJsonObject(0).getString("start")).isEqualTo(utc(b.at(1, "00:00")));
    assertThat(b.conflicts(b.at(2, "00:00"), b.at(2, "08:00"), null)).isEmpty();
    // the weekly series: instance, moved exception (at its own time, own id), cancelled instance, later instances
    assertThat(b.conflicts(b.at(2, "09:00"), b.at(2, "09:30"), null)).hasSize(1);
    assertThat(b.conflicts(b.at(9, "09:00"), b.at(9, "10:00"), null)).isEmpty();
    JsonArray ex = b.conflicts(b.at(10, "14:30"), b.at(10, "16:00"), null);
    assertThat(ex).hasSize(1);
    assertThat(ex.getJsonObject(0).getString("eventId")).isEqualTo(moved);
    assertThat(b.conflicts(b.at(16, "09:00"), b.at(16, "10:00"), null)).isEmpty();
    assertThat(b.conflicts(b.at(23, "09:00"), b.at(23, "10:00"), null)).hasSize(1);
    // horizon 70 days from now: an instance ~9 weeks ahead comes from busy_blocks; one ~13 weeks ahead, past the
    // horizon, is expanded from the mirror on demand (never a silent "free")
    JsonObject near = b.conflictReply(b.at(37, "09:00"), b.at(37, "10:00"), null);
    assertThat(near.getJsonArray("conflicts")).hasSize(1);
    assertThat(near.getJsonArray("calendars").getJsonObject(0).getBoolean("expandedOnDemand")).isFalse();
    JsonObject far = b.conflictReply(b.at(72, "09:00"), b.at(72, "10:00"), null);
    assertThat(far.getJsonArray("conflicts")).extracting(o -> ((JsonObject) o).getString("eventId")).containsExactly(weekly);
    assertThat(far.getBoolean("stale")).isFalse();
    JsonObject farCalendar = far.getJsonArray("calendars").getJsonObject(0);
    assertThat(farCalendar.getBoolean("expandedOnDemand")).isTrue();
    assertThat(farCalendar.getBoolean("stale")).isFalse();
    assertThat(Instant.parse(farCalendar.getString("syncedAt"))).isBeforeOrEqualTo(Instant.now());

    JsonObject avail = b.request("calsync.booking.availability", new JsonObject().put("integrationId", b.integrationId)
        .put("start", b.at(0, "08:00")).put("end", b.at(0, "12:00")));
    assertThat(avail.getJsonArray("busy")).containsExactly(new JsonObject().put("start", utc(b.at(0, "09:00"))).put("end", utc(b.at(0, "10:00"))));
    assertThat(avail.getJsonArray("free")).containsExactly(
        new JsonObject().put("start", utc(b.at(0, "08:00"))).put("end", utc(b.at(0, "09:00"))),
        new JsonObject().put("start", utc(b.at(0, "10:00"))).put("end", utc(b.at(0, "12:00"))));
    assertThat(avail.getBoolean("stale")).isFalse();

    // incremental: the opaque event turns transparent, the series is deleted
    b.h.emulator.state().patchEvent(b.cal, opaque, new JsonObject().put("transparency", "transparent"));
    b.h.emulator.state().deleteEvent(b.cal, weekly);
    b.h.runCycle();
    assertThat(b.h.responseData(b.integrationId).getBoolean("fullSync")).isFalse();
    assertThat(b.conflicts(b.at(0, "09:00"), b.at(0, "10:00"), null)).isEmpty();
    assertThat(b.conflicts(b.at(2, "09:00"), b.at(23, "10:00"), null)).extracting(o -> ((JsonObject) o).getString("eventId"))
        .doesNotContain(weekly, moved);
    assertThat(b.h.count("SELECT count(*) FROM busy_blocks WHERE root_id = $1", weekly)).isZero();
  }

  @Test
  void freshCheckSyncsFirstAndUnknownIntegrationIsNotFound() {
    b.h.runCycle();
    b.insert(b.timed(3, "10:00", "11:00"));
    assertThat(b.conflicts(b.at(3, "10:00"), b.at(3, "11:00"), null)).isEmpty();
    JsonObject fresh = b.request("calsync.booking.conflicts", new JsonObject().put("userId", 7)
        .put("start", b.at(3, "10:00")).put("end", b.at(3, "11:00")).put("fresh", true));
    assertThat(fresh.getJsonArray("conflicts")).hasSize(1);
    assertThat(fresh.getBoolean("stale")).isFalse();
    assertThat(Instant.parse(fresh.getString("checkedAt"))).isBeforeOrEqualTo(Instant.now());
    assertThat(b.failure("calsync.booking.conflicts", new JsonObject().put("integrationId", 999)
        .put("start", b.at(3, "10:00")).put("end", b.at(3, "11:00")))).isEqualTo(404);
  }
}
