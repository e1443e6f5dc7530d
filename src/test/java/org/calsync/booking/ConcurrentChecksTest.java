package org.calsync.booking;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conflict checks sent at once (read together in shared statements, {@link CheckBatch}) get the same answers as the
 * same checks one at a time: each its own practitioner's blocks, an all-day block and a block longer than a stored
 * piece still conflicting anywhere inside, a recurring instance, an excluded appointment, a user's checks, and an
 * unknown integration failing alone.
 */
@ExtendWith(HarnessExtension.class)
class ConcurrentChecksTest {
  private static final String COLLEAGUE = "dr.wilson@clinic.test";

  @Test
  void checksReadTogetherAnswerAsOneAtATime(Harness h) {
    BookingSupport b = new BookingSupport(h, new JsonObject());
    h.emulator.state().createUser(COLLEAGUE);
    long colleague = new org.calsync.token.Connections(h.vertx, h.pool(), h.cipher)
        .connect(8, COLLEAGUE, h.emulator.state().mintRefreshToken(COLLEAGUE)).await();
    String allDay = b.insert(new JsonObject().put("summary", "conference")
        .put("start", new JsonObject().put("date", b.monday.plusDays(1).toString()))
        .put("end", new JsonObject().put("date", b.monday.plusDays(2).toString())));
    // four days: stored as pieces of at most a day, so a check in the middle finds a piece that started before it
    String leave = b.insert(b.timed(8, "12:00", "13:00").put("end", new JsonObject().put("dateTime", b.at(12, "12:00"))
        .put("timeZone", BookingSupport.TORONTO.getId())));
    String weekly = b.insert(b.timed(2, "09:00", "10:00")
        .put("recurrence", new JsonArray().add("RRULE:FREQ=WEEKLY;COUNT=4")));
    String theirs = h.emulator.state().insertEvent(COLLEAGUE, b.timed(2, "09:30", "10:30")).getString("id");
    b.request("calsync.appointment.booked", new JsonObject().put("appointmentId", "C-1").put("integrationId", b.integrationId)
        .put("start", b.at(3, "14:00")).put("end", b.at(3, "14:30")));
    h.runCycle();

    List<JsonObject> checks = List.of(
        check("integrationId", b.integrationId, b.at(1, "10:00"), b.at(1, "11:00"), null),
        check("integrationId", b.integrationId, b.at(10, "08:00"), b.at(10, "08:30"), null),
        check("integrationId", b.integrationId, b.at(16, "09:00"), b.at(16, "09:45"), null),
        check("integrationId", b.integrationId, b.at(2, "09:15"), b.at(2, "09:45"), null),
        check("integrationId", colleague, b.at(2, "09:15"), b.at(2, "09:45"), null),
        check("userId", 7, b.at(2, "09:15"), b.at(2, "09:45"), null),
        check("integrationId", b.integrationId, b.at(3, "14:00"), b.at(3, "14:30"), null),
        check("integrationId", b.integrationId, b.at(3, "14:00"), b.at(3, "14:30"), "C-1"),
        check("integrationId", 999_999, b.at(2, "09:00"), b.at(2, "10:00"), null),
        check("integrationId", b.integrationId, b.at(5, "09:00"), b.at(5, "10:00"), null),
        check("integrationId", b.integrationId, b.at(0, "00:00"), b.at(21, "00:00"), null));
    List<Object> alone = new ArrayList<>();
    for (JsonObject c : checks) alone.add(answer(b.h.vertx.eventBus().<JsonObject>request("calsync.booking.conflicts", c)).await());

    assertThat(ids(alone.get(0))).as("inside the all-day block").containsExactly(allDay);
    assertThat(ids(alone.get(1))).as("in the middle of the four days").containsExactly(leave);
    assertThat(ids(alone.get(2))).as("the third instance").containsExactly(weekly);
    assertThat(ids(alone.get(3))).containsExactly(weekly);
    assertThat(ids(alone.get(4))).containsExactly(theirs);
    assertThat(ids(alone.get(6))).containsExactly(EventIds.forAppointment("C-1"));
    assertThat(ids(alone.get(7))).as("the appointment's own event left out").isEmpty();
    assertThat(alone.get(8)).isEqualTo(404);
    assertThat(ids(alone.get(9))).isEmpty();
    assertThat(ids(alone.get(10))).as("three weeks of one practitioner").containsExactlyInAnyOrder(allDay, leave,
        EventIds.forAppointment("C-1"), weekly, weekly, weekly);

    for (int round = 0; round < 3; round++) {
      List<Future<Object>> together = new ArrayList<>();
      for (int k = 0; k < 4; k++) {
        for (JsonObject c : checks) together.add(answer(b.h.vertx.eventBus().request("calsync.booking.conflicts", c)));
      }
      for (int i = 0; i < together.size(); i++) {
        assertThat(together.get(i).await()).as("check %d", i % checks.size()).isEqualTo(alone.get(i % checks.size()));
      }
    }
  }

  private static JsonObject check(String who, long id, String start, String end, String appointmentId) {
    JsonObject body = new JsonObject().put(who, id).put("start", start).put("end", end);
    if (appointmentId != null) body.put("appointmentId", appointmentId);
    return body;
  }

  /** The reply without its checkedAt, or the failure code. */
  private static Future<Object> answer(Future<io.vertx.core.eventbus.Message<JsonObject>> reply) {
    return reply.<Object>map(m -> {
      JsonObject body = m.body().copy();
      body.remove("checkedAt");
      return body;
    }).recover(e -> Future.succeededFuture(e instanceof ReplyException r ? r.failureCode() : e.toString()));
  }

  private static List<String> ids(Object reply) {
    return ((JsonObject) reply).getJsonArray("conflicts").stream().map(o -> ((JsonObject) o).getString("eventId")).toList();
  }
}
