package org.calsync.booking;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Google keeps a deleted event's id reserved and may refuse to update it (403). The appointment's event then moves to
 * a successor id, the appointment records it, and later writes go there: the EMR still wins, nothing is duplicated.
 */
@ExtendWith(HarnessExtension.class)
class RefusedRestoreTest {

  @Test
  void aRefusedRestoreMovesTheEventToItsSuccessorIdOnce(Harness h) {
    GoogleProxy proxy = GoogleProxy.start(h.vertx, h.emulator.baseUrl());
    BookingSupport b = new BookingSupport(h, new JsonObject(), proxy.apiBaseUrl());
    b.h.runCycle();
    List<JsonObject> overridden = b.collect("calsync.appointment.overridden");
    JsonObject appt = new JsonObject().put("appointmentId", "R-1").put("integrationId", b.integrationId)
        .put("start", b.at(4, "11:00")).put("end", b.at(4, "11:30"));
    assertThat(b.request("calsync.appointment.booked", appt).getBoolean("written")).isTrue();
    String first = EventIds.forAppointment("R-1");
    String successor = EventIds.successor("R-1", first);
    assertThat(successor).matches("[a-v0-9]{5,1024}").isNotEqualTo(first);

    proxy.refuseUpdates.add(first);
    b.h.emulator.state().deleteEvent(b.cal, first);
    b.h.runCycle();
    Harness.eventually(() -> assertThat(overridden).hasSize(1));
    assertThat(overridden.get(0).getString("change")).isEqualTo("deleted");
    assertThat(overridden.get(0).getString("eventId")).isEqualTo(successor);
    List<JsonObject> live = b.googleEventsOf("R-1");
    assertThat(live).extracting(e -> e.getString("id")).containsExactly(successor);
    assertThat(b.h.query("SELECT google_event_id FROM appointments WHERE id = 'R-1'").get(0).getString(0)).isEqualTo(successor);

    // a reschedule now moves the successor; the refused id is never written again
    JsonObject moved = appt.copy().put("start", b.at(5, "15:00")).put("end", b.at(5, "15:30"));
    JsonObject reply = b.request("calsync.appointment.rescheduled", moved);
    assertThat(reply.getBoolean("written")).isTrue();
    assertThat(reply.getString("eventId")).as("the reply names the event's current id").isEqualTo(successor);
    live = b.googleEventsOf("R-1");
    assertThat(live).extracting(e -> e.getString("id")).containsExactly(successor);
    assertThat(OffsetDateTime.parse(live.get(0).getJsonObject("start").getString("dateTime")).toInstant())
        .isEqualTo(OffsetDateTime.parse(b.at(5, "15:00")).toInstant());

    // the restored event comes back through the sync as ours: no conflict with its own appointment, no new notice,
    // even with our marker stripped in Google (the stored event id still identifies it)
    b.h.emulator.state().patchEvent(b.cal, successor, new JsonObject().put("extendedProperties",
        new JsonObject().put("private", new JsonObject().putNull("calsyncAppointmentId"))));
    b.h.runCycle();
    assertThat(b.h.count("SELECT count(*) FROM calendar_events WHERE google_event_id = $1 AND appointment_id IS NULL",
        successor)).as("the marker is gone from the mirror").isEqualTo(1);
    assertThat(b.conflicts(b.at(5, "15:00"), b.at(5, "15:30"), "R-1")).isEmpty();
    assertThat(b.conflicts(b.at(5, "15:00"), b.at(5, "15:30"), null)).hasSize(1);
    Harness.eventually(() -> assertThat(b.h.count("SELECT count(*) FROM appointments WHERE id = 'R-1' AND needs_check")).as("the EMR-wins check ran").isZero());
    assertThat(overridden).hasSize(1);
  }
}
