package org.calsync.booking;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.calsync.bus.FailureCode;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conflict checks and availability past booking.horizonDays are answered from the mirror on demand, with the same
 * busy semantics as busy_blocks; past booking.maxAheadDays they fail with OUT_OF_RANGE; every reply says how fresh
 * each calendar is.
 */
@ExtendWith(HarnessExtension.class)
class BeyondHorizonTest {
  private static List<String> ids(JsonArray conflicts) {
    return conflicts.stream().map(o -> ((JsonObject) o).getString("eventId")).toList();
  }

  @Test
  void farRangesAreExpandedOnDemandAndTooFarOnesRefused(Harness h) {
    BookingSupport b = new BookingSupport(h, new JsonObject().put("horizonDays", 30).put("maxAheadDays", 400));
    // a one-off event and a weekly series (Wednesdays 09:00), both ~5 months ahead of a 30-day horizon; one
    // instance moved to Thursday 14:00, the next cancelled; an appointment of ours
    String oneOff = b.insert(b.timed(142, "11:00", "12:00"));
    String weekly = b.insert(b.timed(2, "09:00", "10:00").put("recurrence", new JsonArray().add("RRULE:FREQ=WEEKLY")));
    String moved = BookingSupport.instanceId(weekly, b.at(149, "09:00"));
    b.h.emulator.state().patchEvent(b.cal, moved, new JsonObject()
        .put("start", new JsonObject().put("dateTime", b.at(150, "14:00")))
        .put("end", new JsonObject().put("dateTime", b.at(150, "15:00"))));
    b.h.emulator.state().deleteEvent(b.cal, BookingSupport.instanceId(weekly, b.at(156, "09:00")));
    b.request("calsync.appointment.booked", new JsonObject().put("appointmentId", "FAR-1").put("integrationId", b.integrationId)
        .put("start", b.at(143, "10:00")).put("end", b.at(143, "10:30")));
    b.h.runCycle();

    JsonObject reply = b.conflictReply(b.at(142, "00:00"), b.at(157, "00:00"), null);
    assertThat(ids(reply.getJsonArray("conflicts"))).containsExactly(weekly, oneOff, EventIds.forAppointment("FAR-1"), moved);
    assertThat(reply.getBoolean("stale")).isFalse();
    JsonObject cal = reply.getJsonArray("calendars").getJsonObject(0);
    assertThat(cal.getLong("integrationId")).isEqualTo(b.integrationId);
    assertThat(cal.getBoolean("expandedOnDemand")).isTrue();
    assertThat(cal.getString("syncedAt")).isNotNull();
    // rescheduling FAR-1 does not conflict with its own event
    assertThat(ids(b.conflicts(b.at(143, "09:00"), b.at(143, "12:00"), "FAR-1"))).isEmpty();
    assertThat(ids(b.conflicts(b.at(149, "09:00"), b.at(149, "10:00"), null))).as("moved away").isEmpty();
    assertThat(ids(b.conflicts(b.at(156, "09:00"), b.at(156, "10:00"), null))).as("cancelled").isEmpty();

    JsonObject avail = b.request("calsync.booking.availability", new JsonObject().put("integrationId", b.integrationId)
        .put("start", b.at(142, "10:00")).put("end", b.at(142, "13:00")));
    assertThat(avail.getJsonArray("busy")).containsExactly(BusyQueries.interval(
        OffsetDateTime.parse(b.at(142, "11:00")).toInstant(), OffsetDateTime.parse(b.at(142, "12:00")).toInstant()));
    assertThat(avail.getJsonArray("calendars").getJsonObject(0).getBoolean("expandedOnDemand")).isTrue();

    // past booking.maxAheadDays: an explicit failure, not "free"
    assertThat(b.failure("calsync.booking.conflicts", new JsonObject().put("integrationId", b.integrationId)
        .put("start", b.at(420, "09:00")).put("end", b.at(420, "10:00")))).isEqualTo(FailureCode.OUT_OF_RANGE);
    assertThat(b.failure("calsync.booking.availability", new JsonObject().put("integrationId", b.integrationId)
        .put("start", b.at(420, "09:00")).put("end", b.at(420, "10:00")))).isEqualTo(FailureCode.OUT_OF_RANGE);
    assertThat(Instant.parse(reply.getString("checkedAt"))).isBeforeOrEqualTo(Instant.now());
  }
}
