package org.calsync.booking;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;
import org.calsync.support.DocumentedFields;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Appointments written back to the emulator: no patient data, idempotent, moves, cancels, EMR wins, conflict report. */
@ExtendWith(HarnessExtension.class)
class AppointmentWriteBackTest {
  private BookingSupport b;

  @BeforeEach
  void setUp(Harness h) {
    b = new BookingSupport(h, new JsonObject().put("neutralTitle", "Unavailable"));
    b.h.runCycle();
  }

  private JsonObject appt(String id, int day, String from, String to) {
    return new JsonObject().put("appointmentId", id).put("integrationId", b.integrationId)
        .put("start", b.at(day, from)).put("end", b.at(day, to));
  }

  @Test
  void bookingWritesANeutralPrivateEventOnceAndRetriesNeverDuplicate() {
    JsonObject reply = b.request("calsync.appointment.booked", appt("A-1", 1, "10:00", "10:30"));
    assertThat(reply.getBoolean("written")).isTrue();
    assertThat(reply.getString("eventId")).isEqualTo(EventIds.forAppointment("A-1"));

    List<JsonObject> events = b.googleEventsOf("A-1");
    assertThat(events).hasSize(1);
    JsonObject ev = events.get(0);
    assertThat(ev.getString("id")).isEqualTo(EventIds.forAppointment("A-1"));
    assertThat(ev.getString("summary")).isEqualTo("Unavailable");
    assertThat(ev.getString("visibility")).isEqualTo("private");
    assertThat(ev.getValue("description")).isNull();
    assertThat(ev.getValue("location")).isNull();
    assertThat(ev.getValue("attendees")).isNull();
    assertThat(ev.getJsonObject("extendedProperties").getJsonObject("private").fieldNames()).containsExactly("calsyncAppointmentId");
    assertThat(OffsetDateTime.parse(ev.getJsonObject("start").getString("dateTime")).toInstant())
        .isEqualTo(OffsetDateTime.parse(b.at(1, "10:00")).toInstant());

    // the same message again changes nothing
    JsonObject again = b.request("calsync.appointment.booked", appt("A-1", 1, "10:00", "10:30"));
    assertThat(again.getLong("version")).isEqualTo(reply.getLong("version"));
    // a crash after Google took the insert but before we recorded it: the sweep writes again (409 -> patch)
    b.h.query("UPDATE appointments SET written_version = 0 WHERE id = 'A-1'");
    Harness.eventually(() -> assertThat(b.h.count("SELECT count(*) FROM appointments WHERE id = 'A-1' AND written_version = version")).isEqualTo(1));
    assertThat(b.googleEventsOf("A-1")).hasSize(1);
    assertThat(b.h.emulator.state().groundTruth(b.cal)).hasSize(1);

    // our own event comes back through the sync: busy, but never a conflict with its own appointment
    b.h.runCycle();
    assertThat(b.h.count("SELECT count(*) FROM calendar_events WHERE appointment_id = 'A-1'")).isEqualTo(1);
    assertThat(b.conflicts(b.at(1, "10:00"), b.at(1, "10:30"), "A-1")).isEmpty();
    JsonArray other = b.conflicts(b.at(1, "10:15"), b.at(1, "11:00"), "A-2");
    assertThat(other).hasSize(1);
    assertThat(other.getJsonObject(0).getString("appointmentId")).isEqualTo("A-1");

    // reschedule: the same event moves; cancel: it is deleted; cancelling again is harmless
    JsonObject moved = b.request("calsync.appointment.rescheduled", appt("A-1", 2, "14:00", "15:00"));
    assertThat(moved.getBoolean("written")).isTrue();
    assertThat(moved.getLong("version")).isGreaterThan(reply.getLong("version"));
    JsonObject now = b.googleEventsOf("A-1").get(0);
    assertThat(now.getString("id")).isEqualTo(ev.getString("id"));
    assertThat(OffsetDateTime.parse(now.getJsonObject("start").getString("dateTime")).toInstant())
        .isEqualTo(OffsetDateTime.parse(b.at(2, "14:00")).toInstant());
    JsonObject cancelled = b.request("calsync.appointment.cancelled", new JsonObject().put("appointmentId", "A-1"));
    assertThat(cancelled.getBoolean("written")).isTrue();
    assertThat(b.googleEventsOf("A-1")).isEmpty();
    assertThat(b.request("calsync.appointment.cancelled", new JsonObject().put("appointmentId", "A-1")).getLong("version"))
        .isEqualTo(cancelled.getLong("version"));
    b.h.runCycle();
    assertThat(b.conflicts(b.at(2, "14:00"), b.at(2, "15:00"), null)).isEmpty();
  }

  private void moveInGoogle(String appointmentId, int day, String from, String to) {
    b.h.emulator.state().patchEvent(b.cal, EventIds.forAppointment(appointmentId), new JsonObject()
        .put("start", new JsonObject().put("dateTime", b.at(day, from))).put("end", new JsonObject().put("dateTime", b.at(day, to))));
  }

  private static List<JsonObject> of(List<JsonObject> notices, String appointmentId) {
    return notices.stream().filter(n -> appointmentId.equals(n.getString("appointmentId"))).toList();
  }

  @Test
  void emrWinsWhenOurEventIsMovedOrDeletedInGoogle() {
    List<JsonObject> overridden = b.collect("calsync.appointment.overridden");
    // Z-9 is a sentinel: flagged by the same syncs as B-7 and checked after it (checks run in appointment id order),
    // so its restore notice shows that B-7's check has finished.
    b.request("calsync.appointment.booked", appt("B-7", 3, "09:00", "09:45"));
    b.request("calsync.appointment.booked", appt("Z-9", 3, "16:00", "16:30"));
    moveInGoogle("Z-9", 3, "17:00", "17:30");
    b.h.runCycle();
    Harness.eventually(() -> assertThat(of(overridden, "Z-9")).hasSize(1));
    assertThat(overridden).as("B-7 is unchanged in Google").hasSize(1);
    String eventId = EventIds.forAppointment("B-7");

    b.h.emulator.state().patchEvent(b.cal, eventId, new JsonObject()
        .put("start", new JsonObject().put("dateTime", b.at(3, "12:00"))).put("end", new JsonObject().put("dateTime", b.at(3, "12:45"))));
    b.h.runCycle();
    Harness.eventually(() -> assertThat(of(overridden, "B-7")).hasSize(1));
    JsonObject notice = of(overridden, "B-7").get(0);
    DocumentedFields.of("APPOINTMENT_OVERRIDDEN").assertMatches(notice);
    assertThat(notice.getString("appointmentId")).isEqualTo("B-7");
    assertThat(notice.getString("change")).isEqualTo("moved");
    assertThat(notice.getString("googleStart")).isEqualTo(OffsetDateTime.parse(b.at(3, "12:00")).toInstant().toString());
    assertThat(OffsetDateTime.parse(b.googleEventsOf("B-7").get(0).getJsonObject("start").getString("dateTime")).toInstant())
        .isEqualTo(OffsetDateTime.parse(b.at(3, "09:00")).toInstant());

    b.h.emulator.state().deleteEvent(b.cal, eventId);
    b.h.runCycle();
    Harness.eventually(() -> assertThat(of(overridden, "B-7")).hasSize(2));
    assertThat(of(overridden, "B-7").get(1).getString("change")).isEqualTo("deleted");
    List<JsonObject> restored = b.googleEventsOf("B-7");
    assertThat(restored).hasSize(1);
    assertThat(restored.get(0).getString("status")).isEqualTo("confirmed");
    assertThat(restored.get(0).getString("id")).isEqualTo(eventId);

    // the restore comes back through the next sync as matching: nothing more is published for B-7 (the sentinel,
    // moved again, is checked after it in the same run)
    moveInGoogle("Z-9", 3, "18:00", "18:30");
    b.h.runCycle();
    Harness.eventually(() -> assertThat(of(overridden, "Z-9")).hasSize(2));
    assertThat(of(overridden, "B-7")).hasSize(2);
    assertThat(overridden).hasSize(4);
  }

  @Test
  void newOverlapsWithGoogleBusyTimeAreReportedOnce() {
    List<JsonObject> reports = b.collect("calsync.booking.conflict");
    b.request("calsync.appointment.booked", appt("C-1", 4, "10:00", "11:00"));
    // our own event comes back in the same sync as a clash and a later event: one report statement covers all of them
    String clash = b.insert(b.timed(4, "10:30", "11:30"));
    b.insert(b.timed(4, "13:00", "14:00"));
    b.h.runCycle();
    Harness.eventually(() -> assertThat(reports).isNotEmpty());
    reports.forEach(DocumentedFields.of("BOOKING_CONFLICT")::assertMatches);
    assertThat(reportedEvents()).as("our own event is not a conflict").containsExactly(clash);
    assertThat(reports).hasSize(1);
    assertThat(reports.get(0).getString("appointmentId")).isEqualTo("C-1");
    assertThat(reports.get(0).getString("eventId")).isEqualTo(clash);

    // later syncs do not report it again; a sentinel clash shows their reports have run
    b.insert(b.timed(5, "08:00", "09:00"));
    b.h.runCycle();
    String sentinel = b.insert(b.timed(4, "10:45", "10:50"));
    b.h.runCycle();
    Harness.eventually(() -> assertThat(reports).extracting(r -> r.getString("eventId")).contains(sentinel));
    assertThat(reports).extracting(r -> r.getString("eventId")).containsExactly(clash, sentinel);
    assertThat(reportedEvents()).containsExactlyInAnyOrder(clash, sentinel);
  }

  private List<String> reportedEvents() {
    return b.h.query("SELECT event_id FROM conflict_reports WHERE appointment_id = 'C-1'").stream()
        .map(r -> r.getString(0)).toList();
  }

  @Test
  void writesWaitForAReconnectInsteadOfFailingForGood() {
    b.h.query("UPDATE user_integrations SET status = 'needs_reconnect' WHERE id = $1", b.integrationId);
    assertThat(b.request("calsync.appointment.booked", appt("R-1", 1, "09:00", "09:30")).getBoolean("written")).isFalse();
    // however long the reconnect takes (attempts as if hours had passed), a refused grant does not give the write up
    b.h.query("UPDATE appointments SET write_attempts = " + (Appointments.MAX_WRITE_ATTEMPTS - 1) + " WHERE id = 'R-1'");
    assertThat(b.request("calsync.appointment.booked", appt("R-1", 1, "09:00", "09:30")).getBoolean("written")).isFalse();
    assertThat(b.h.count("SELECT count(*) FROM appointments WHERE id = 'R-1' AND write_failed_at IS NULL")).isEqualTo(1);
    assertThat(b.h.count("SELECT count(*) FROM notices WHERE type = 'appointment.write_failed'")).isZero();

    b.h.query("UPDATE user_integrations SET status = 'active' WHERE id = $1", b.integrationId);
    Harness.await("the sweep writes it after the reconnect",
        () -> b.h.count("SELECT count(*) FROM appointments WHERE id = 'R-1' AND written_version = version") == 1);
    assertThat(b.googleEventsOf("R-1")).hasSize(1);
  }

  @Test
  void malformedMessagesGetBadRequestAndChangeNothing() {
    b.request("calsync.appointment.booked", appt("D-1", 1, "09:00", "10:00"));
    long versions = b.h.count("SELECT sum(version) FROM appointments");
    String s = b.at(1, "09:00");
    String e = b.at(1, "10:00");
    assertThat(b.failure("calsync.appointment.booked", "not json")).isEqualTo(400);
    assertThat(b.failure("calsync.appointment.booked", new JsonObject().put("integrationId", b.integrationId).put("start", s).put("end", e))).isEqualTo(400);
    assertThat(b.failure("calsync.appointment.booked", appt("D-1", 1, "09:00", "10:00").put("start", "tomorrow"))).isEqualTo(400);
    assertThat(b.failure("calsync.appointment.booked", appt("D-1", 1, "10:00", "09:00"))).isEqualTo(400);
    assertThat(b.failure("calsync.appointment.booked", appt("D-1", 1, "09:00", "10:00").put("start", "2027-01-01T09:00:00"))).isEqualTo(400);
    assertThat(b.failure("calsync.appointment.rescheduled", appt("D-1", 1, "09:00", "10:00").put("integrationId", -3))).isEqualTo(400);
    assertThat(b.failure("calsync.appointment.rescheduled", appt("", 1, "09:00", "10:00"))).isEqualTo(400);
    assertThat(b.failure("calsync.appointment.booked", appt("x".repeat(300), 1, "09:00", "10:00"))).isEqualTo(400);
    assertThat(b.failure("calsync.appointment.cancelled", new JsonObject().put("appointmentId", 42))).isEqualTo(400);
    assertThat(b.failure("calsync.appointment.cancelled", new JsonObject().put("appointmentId", "nope"))).isEqualTo(404);
    assertThat(b.failure("calsync.appointment.booked", appt("E-1", 1, "09:00", "10:00").put("integrationId", 999))).isEqualTo(404);
    assertThat(b.failure("calsync.booking.conflicts", new JsonObject().put("start", s).put("end", e))).isEqualTo(400);
    assertThat(b.failure("calsync.booking.conflicts", new JsonObject().put("integrationId", b.integrationId).put("start", s).put("end", e).put("fresh", "yes"))).isEqualTo(400);
    assertThat(b.failure("calsync.booking.conflicts", new JsonObject().put("integrationId", b.integrationId).put("start", s)
        .put("end", b.at(400, "09:00")))).isEqualTo(400);
    assertThat(b.failure("calsync.booking.availability", new JsonObject().put("userId", "seven").put("start", s).put("end", e))).isEqualTo(400);
    assertThat(b.failure("calsync.booking.availability", new JsonArray().add(1))).isEqualTo(400);
    // out-of-range years are malformed too (they never reach the database)
    for (String t : List.of("+20000-01-01T09:00:00Z", "0001-01-01T09:00:00Z")) {
      JsonObject range = new JsonObject().put("integrationId", b.integrationId).put("start", t)
          .put("end", OffsetDateTime.parse(t).plusHours(1).toString());
      assertThat(b.failure("calsync.booking.conflicts", range)).isEqualTo(400);
      assertThat(b.failure("calsync.booking.availability", range)).isEqualTo(400);
      assertThat(b.failure("calsync.appointment.booked", range.copy().put("appointmentId", "G-1"))).isEqualTo(400);
    }
    b.h.vertx.eventBus().send("calsync.appointment.booked", new JsonObject().put("appointmentId", "F-1"));
    // answered after F-1 by the same consumer: F-1 has been handled
    assertThat(b.failure("calsync.appointment.booked", new JsonObject().put("appointmentId", "F-2"))).isEqualTo(400);

    assertThat(b.h.count("SELECT sum(version) FROM appointments")).isEqualTo(versions);
    assertThat(b.h.count("SELECT count(*) FROM appointments")).isEqualTo(1);
    assertThat(b.h.emulator.state().groundTruth(b.cal)).hasSize(1);
  }
}
