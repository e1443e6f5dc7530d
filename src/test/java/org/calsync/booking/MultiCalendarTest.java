package org.calsync.booking;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calsync.bus.FailureCode;
import org.calsync.emulator.EmulatorState;
import org.calsync.emulator.FaultProfile;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A practitioner with several calendars: the primary, a secondary one they own ("Work"), a colleague's calendar shared
 * read-only ("Team") and the colleague's primary shared free/busy only. Primary and Work count as busy by default.
 */
@ExtendWith(HarnessExtension.class)
class MultiCalendarTest {
  private static final String COLLEAGUE = "dr.wilson@clinic.test";
  private BookingSupport b;
  private EmulatorState google;
  private String work;
  private String team;
  private final Map<String, String> eventOf = new HashMap<>();

  @BeforeEach
  void setUp(Harness h) {
    b = new BookingSupport(h, new JsonObject());
    google = h.emulator.state();
    google.createUser(COLLEAGUE);
    work = google.addCalendar(b.cal, "Work", null);
    team = google.addCalendar(COLLEAGUE, "Team", null);
    google.setListEntry(b.cal, team, "reader", true);
    google.setListEntry(b.cal, COLLEAGUE, "freeBusyReader", true);
    eventOf.put(b.cal, b.insert(b.timed(0, "09:00", "10:00")));
    eventOf.put(work, google.insertEvent(work, b.timed(0, "11:00", "12:00")).getString("id"));
    eventOf.put(team, google.insertEvent(team, b.timed(0, "13:00", "14:00")).getString("id"));
    eventOf.put(COLLEAGUE, google.insertEvent(COLLEAGUE, b.timed(0, "15:00", "16:00")).getString("id"));
  }

  @Test
  void conflictsComeFromExactlyTheCalendarsThatCountAsBusy() {
    b.h.runCycle();

    assertThat(conflictEvents()).containsExactlyInAnyOrder(eventOf.get(b.cal), eventOf.get(work));
    Map<String, JsonObject> cals = calendars();
    assertThat(cals.keySet()).containsExactlyInAnyOrder(b.cal, work, team, COLLEAGUE);
    assertThat(cals.get(b.cal).getBoolean("busy")).isTrue();
    assertThat(cals.get(b.cal).getBoolean("writeTarget")).isTrue();
    assertThat(cals.get(work).getBoolean("busy")).isTrue();
    assertThat(cals.get(work).getString("summary")).isEqualTo("Work");
    assertThat(cals.get(team).getBoolean("busy")).isFalse();
    assertThat(cals.get(team).getString("accessRole")).isEqualTo("reader");
    assertThat(cals.get(COLLEAGUE).getBoolean("busy")).isFalse();
    assertThat(cals.get(COLLEAGUE).getBoolean("syncable")).isFalse();
    assertThat(b.h.mirrored(team)).isEmpty();
    assertThat(b.h.mirrored(COLLEAGUE)).isEmpty();
    assertThat(b.h.count("SELECT count(*) FROM audit_log WHERE action = 'calendars.discovered'")).isEqualTo(1);
  }

  @Test
  void theOperatorSeesWhichCalendarsCountAsBusy() {
    b.h.runCycle();
    JsonObject shown = new org.calsync.db.IntegrationDetails(b.h.pool()).show(b.integrationId).await();
    Map<String, JsonObject> byId = new HashMap<>();
    for (Object o : shown.getJsonArray("calendarList")) byId.put(((JsonObject) o).getString("googleId"), (JsonObject) o);
    assertThat(shown.getLong("calendars")).isEqualTo(4);
    assertThat(byId.get(b.cal).getBoolean("countsAsBusy")).isTrue();
    assertThat(byId.get(b.cal).getBoolean("writeTarget")).isTrue();
    assertThat(byId.get(work).getBoolean("countsAsBusy")).isTrue();
    assertThat(byId.get(work).getBoolean("writeTarget")).isFalse();
    assertThat(byId.get(team).getBoolean("countsAsBusy")).isFalse();
    assertThat(byId.get(team).getString("accessRole")).isEqualTo("reader");
    assertThat(byId.get(COLLEAGUE).getBoolean("countsAsBusy")).isFalse();
  }

  @Test
  void anUnchangedListingWritesNothing() {
    b.h.runCycle();
    List<org.calsync.db.Calendars.CalendarState> rows =
        org.calsync.db.Calendars.rows(b.h.pool(), b.integrationId, false).await();
    List<org.calsync.db.Calendars.Listed> listing = new ArrayList<>();
    for (var r : rows) {
      if (!r.removed()) listing.add(new org.calsync.db.Calendars.Listed(r.googleId(), r.summary(), r.timeZone(), r.accessRole(), r.selected(), r.primary()));
    }
    String versions = "SELECT string_agg(xmin::text, ',' ORDER BY id) FROM calendars WHERE integration_id = $1";
    String before = b.h.query(versions, b.integrationId).get(0).getString(0);

    var busy = new org.calsync.sync.CalendarDiscovery(b.h.pool()).apply(b.integrationId, listing, org.calsync.sync.Hold.NONE).await();

    assertThat(busy).extracting(org.calsync.db.Calendars.Calendar::googleId).containsExactlyInAnyOrder(b.cal, work);
    assertThat(b.h.query(versions, b.integrationId).get(0).getString(0)).as("no calendar row rewritten").isEqualTo(before);
    listing.replaceAll(l -> l.googleId().equals(team)
        ? new org.calsync.db.Calendars.Listed(l.googleId(), l.summary(), l.timeZone(), "writer", l.selected(), l.primary()) : l);
    var changed = new org.calsync.sync.CalendarDiscovery(b.h.pool()).apply(b.integrationId, listing, org.calsync.sync.Hold.NONE).await();
    assertThat(changed).extracting(org.calsync.db.Calendars.Calendar::googleId).containsExactlyInAnyOrder(b.cal, work, team);
  }

  /**
   * The first listing of an integration is one insert; when another process adds one of its calendars meanwhile (here
   * the primary, committed while the insert waits on it) the listing is applied as a change instead, so no calendar is
   * lost from the result and the primary still becomes the write target.
   */
  @Test
  void aFirstListingRacingAnotherProcessStillEndsWithEveryCalendarAndTheWriteTarget() {
    b.h.runCycle();
    List<org.calsync.db.Calendars.Listed> listing = new ArrayList<>();
    for (var r : org.calsync.db.Calendars.rows(b.h.pool(), b.integrationId, false).await()) {
      if (!r.removed()) listing.add(new org.calsync.db.Calendars.Listed(r.googleId(), r.summary(), r.timeZone(), r.accessRole(), r.selected(), r.primary()));
    }
    b.h.query("DELETE FROM calendars WHERE integration_id = $1", b.integrationId);
    var other = b.h.pool().getConnection().await();
    try {
      var tx = other.begin().await();
      other.preparedQuery("INSERT INTO calendars (integration_id, google_calendar_id, time_zone, access_role, selected, is_primary) "
          + "VALUES ($1, $2, 'UTC', 'owner', true, true)").execute(io.vertx.sqlclient.Tuple.of(b.integrationId, b.cal)).await();

      var applied = new org.calsync.sync.CalendarDiscovery(b.h.pool()).apply(b.integrationId, listing, org.calsync.sync.Hold.NONE);
      // the insert of the first listing waits for the other transaction's row
      Harness.await("the insert waits for the other row", () -> b.h.count("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
          + "WHERE NOT l.granted AND a.datname = current_database()") > 0);
      tx.commit().await();

      assertThat(applied.await()).extracting(org.calsync.db.Calendars.Calendar::googleId).containsExactlyInAnyOrder(b.cal, work);
    } finally {
      other.close().await();
    }
    assertThat(b.h.count("SELECT count(*) FROM calendars WHERE integration_id = $1 AND removed_at IS NULL", b.integrationId))
        .isEqualTo(listing.size());
    assertThat(b.h.query("SELECT google_calendar_id FROM calendars WHERE integration_id = $1 AND write_target", b.integrationId))
        .extracting(r -> r.getString(0)).containsExactly(b.cal);
  }

  @Test
  void aChoiceTakesEffectAndSurvivesRediscovery() {
    b.h.runCycle();
    JsonObject on = update(new JsonObject().put("calendarId", team).put("busy", true));
    assertThat(on.getBoolean("busy")).isTrue();
    assertThat(on.getBoolean("busyChoice")).isTrue();
    assertThat(on.getBoolean("syncQueued")).isTrue();
    b.h.awaitQueueDrained(60);
    assertThat(conflictEvents()).containsExactlyInAnyOrder(eventOf.get(b.cal), eventOf.get(work), eventOf.get(team));

    JsonObject off = update(new JsonObject().put("calendarId", work).put("busy", false));
    assertThat(off.getBoolean("busy")).isFalse();
    // leaves the mirror at once, no sync needed
    assertThat(b.h.mirrored(work)).isEmpty();
    assertThat(conflictEvents()).containsExactlyInAnyOrder(eventOf.get(b.cal), eventOf.get(team));

    google.setListEntry(b.cal, work, null, false);
    google.setListEntry(b.cal, work, null, true);
    b.h.runCycle();
    assertThat(conflictEvents()).containsExactlyInAnyOrder(eventOf.get(b.cal), eventOf.get(team));
    assertThat(calendars().get(work).getValue("busyChoice")).isEqualTo(false);

    // back to the default: Work is owned and selected, so it counts again
    assertThat(update(new JsonObject().put("calendarId", work).putNull("busy")).getBoolean("busy")).isTrue();
    b.h.awaitQueueDrained(60);
    assertThat(conflictEvents()).containsExactlyInAnyOrder(eventOf.get(b.cal), eventOf.get(work), eventOf.get(team));
  }

  @Test
  void refusedChoicesChangeNothing() {
    b.h.runCycle();
    assertThat(b.failure("calsync.calendars.update", body(new JsonObject().put("calendarId", COLLEAGUE).put("busy", true))))
        .isEqualTo(FailureCode.BAD_REQUEST);
    assertThat(b.failure("calsync.calendars.update", body(new JsonObject().put("calendarId", b.cal).put("busy", false))))
        .isEqualTo(FailureCode.BAD_REQUEST);
    assertThat(b.failure("calsync.calendars.update", body(new JsonObject().put("calendarId", team).put("writeTarget", true))))
        .isEqualTo(FailureCode.BAD_REQUEST);
    assertThat(b.failure("calsync.calendars.update", body(new JsonObject().put("calendarId", "nope@x.test").put("busy", true))))
        .isEqualTo(FailureCode.NOT_FOUND);
    assertThat(b.failure("calsync.calendars.list", new JsonObject().put("integrationId", 999_999))).isEqualTo(FailureCode.NOT_FOUND);
    assertThat(conflictEvents()).containsExactlyInAnyOrder(eventOf.get(b.cal), eventOf.get(work));
  }

  @Test
  void aCalendarRemovedInGoogleLeavesTheMirrorOnlyAfterASuccessfulCalendarList() {
    b.h.runCycle();
    assertThat(b.h.mirrored(work)).isNotEmpty();
    google.setFaults(FaultProfile.none().withServerError(1.0).withPaths(Set.of("users/me/calendarList")));
    google.removeListEntry(b.cal, work);
    String later = b.insert(b.timed(1, "09:00", "10:00"));

    b.h.runCycle();

    assertThat(b.h.mirrored(work)).as("a failed calendarList changes nothing").isNotEmpty();
    assertThat(calendars()).containsKey(work);
    assertThat(b.h.mirrored(b.cal)).as("the known calendars still sync").contains(later);

    google.setFaults(FaultProfile.none());
    b.h.runCycle();

    assertThat(b.h.mirrored(work)).isEmpty();
    assertThat(b.h.count("SELECT count(*) FROM busy_blocks b JOIN calendars c ON c.id = b.calendar_id "
        + "WHERE c.google_calendar_id = $1", work)).isZero();
    assertThat(calendars()).doesNotContainKey(work);
    assertThat(conflictEvents()).containsExactly(eventOf.get(b.cal));
  }

  @Test
  void appointmentsGoToTheWriteTargetWhichFallsBackToPrimaryWhenItLeaves() {
    b.h.runCycle();
    JsonObject chosen = update(new JsonObject().put("calendarId", work).put("writeTarget", true));
    assertThat(chosen.getBoolean("writeTarget")).isTrue();
    assertThat(calendars().get(b.cal).getBoolean("writeTarget")).isFalse();

    JsonObject reply = b.request("calsync.appointment.booked", new JsonObject().put("appointmentId", "W-1")
        .put("integrationId", b.integrationId).put("start", b.at(2, "10:00")).put("end", b.at(2, "10:30")));
    assertThat(reply.getBoolean("written")).isTrue();
    assertThat(withAppointment(work, "W-1")).hasSize(1);
    assertThat(withAppointment(b.cal, "W-1")).isEmpty();

    google.removeListEntry(b.cal, work);
    b.h.runCycle();

    assertThat(calendars().get(b.cal).getBoolean("writeTarget")).isTrue();
    assertThat(b.h.count("SELECT count(*) FROM audit_log WHERE action = 'calendars.write_target_fallback'")).isEqualTo(1);
    Harness.await("checks taken", () -> b.h.count("SELECT count(*) FROM appointments WHERE needs_check") == 0);
    assertThat(b.h.count("SELECT count(*) FROM appointments WHERE id = 'W-1' AND version = written_version"))
        .as("an appointment on a calendar no longer mirrored is left as written, not restored").isEqualTo(1);
    b.request("calsync.appointment.booked", new JsonObject().put("appointmentId", "W-2")
        .put("integrationId", b.integrationId).put("start", b.at(3, "10:00")).put("end", b.at(3, "10:30")));
    assertThat(withAppointment(b.cal, "W-2")).hasSize(1);
  }

  private List<JsonObject> withAppointment(String calendarId, String appointmentId) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject e : google.groundTruth(calendarId)) {
      JsonObject ext = e.getJsonObject("extendedProperties");
      JsonObject priv = ext == null ? null : ext.getJsonObject("private");
      if (priv != null && appointmentId.equals(priv.getString("calsyncAppointmentId"))) out.add(e);
    }
    return out;
  }

  private List<String> conflictEvents() {
    List<String> out = new ArrayList<>();
    JsonArray conflicts = b.conflicts(b.at(0, "08:00"), b.at(0, "18:00"), null);
    for (Object o : conflicts) out.add(((JsonObject) o).getString("eventId"));
    return out;
  }

  private JsonObject body(JsonObject fields) {
    return fields.put("integrationId", b.integrationId);
  }

  private JsonObject update(JsonObject fields) {
    return b.request("calsync.calendars.update", body(fields));
  }

  private Map<String, JsonObject> calendars() {
    Map<String, JsonObject> out = new HashMap<>();
    JsonObject reply = b.request("calsync.calendars.list", new JsonObject().put("integrationId", b.integrationId));
    for (Object o : reply.getJsonArray("calendars")) out.put(((JsonObject) o).getString("calendarId"), (JsonObject) o);
    return out;
  }
}
