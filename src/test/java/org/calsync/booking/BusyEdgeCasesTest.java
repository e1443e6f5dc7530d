package org.calsync.booking;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Busy time through the real sync from the emulator: a series in another zone than the calendar's, an endless
 * one-off event, our own event with its marker stripped in Google, an exception removed by an id-only tombstone.
 */
@ExtendWith(HarnessExtension.class)
class BusyEdgeCasesTest {
  private static final ZoneId LONDON = ZoneId.of("Europe/London");

  private static JsonObject at(String rfc3339, String zone) {
    return new JsonObject().put("dateTime", rfc3339).put("timeZone", zone);
  }

  private static List<String> ids(JsonArray conflicts) {
    return conflicts.stream().map(o -> ((JsonObject) o).getString("eventId")).toList();
  }

  @Test
  void seriesDefinedInLondonBlocksAtLondonWallClockOnATorontoCalendar(Harness h) {
    // Six Mondays 09:00 London from the first Monday of next March: North America moves to summer time on the second
    // Sunday of March, the UK on the last, so in between London is 4 hours ahead of Toronto instead of 5.
    LocalDate first = LocalDate.now(LONDON).plusYears(1).withMonth(3).withDayOfMonth(1)
        .with(TemporalAdjusters.nextOrSame(DayOfWeek.MONDAY));
    List<Instant> starts = new ArrayList<>();
    for (int w = 0; w < 6; w++) starts.add(first.plusWeeks(w).atTime(9, 0).atZone(LONDON).toInstant());
    int gap = -1;
    for (int w = 5; w > 0; w--) if (gapWeek(starts.get(w)) && gapWeek(starts.get(w - 1))) gap = w - 1;
    assertThat(gap).as("two Mondays fall between the switches").isNotNegative();
    Instant cancelled = starts.get(gap);
    Instant kept = starts.get(gap + 1);

    BookingSupport b = new BookingSupport(h, new JsonObject().put("horizonDays", 500));
    OffsetDateTime s0 = starts.get(0).atZone(LONDON).toOffsetDateTime();
    String series = b.insert(new JsonObject().put("summary", "clinic abroad")
        .put("start", at(s0.toString(), "Europe/London")).put("end", at(s0.plusHours(1).toString(), "Europe/London"))
        .put("recurrence", new JsonArray().add("RRULE:FREQ=WEEKLY;COUNT=6")));
    b.h.emulator.state().deleteEvent(b.cal, series + "_" + compact(cancelled));
    b.h.runCycle();
    assertThat(b.h.query("SELECT time_zone FROM calendar_events WHERE google_event_id = $1", series).get(0).getString(0))
        .isEqualTo("Europe/London");

    JsonArray inGap = b.conflicts(kept.minus(2, ChronoUnit.HOURS).toString(), kept.plus(2, ChronoUnit.HOURS).toString(), null);
    assertThat(inGap).hasSize(1);
    assertThat(inGap.getJsonObject(0).getString("start")).isEqualTo(kept.toString());
    assertThat(inGap.getJsonObject(0).getString("end")).isEqualTo(kept.plus(1, ChronoUnit.HOURS).toString());
    assertThat(b.conflicts(cancelled.minus(2, ChronoUnit.HOURS).toString(), cancelled.plus(2, ChronoUnit.HOURS).toString(), null))
        .as("the cancelled instance").isEmpty();
    List<Instant> blocked = b.h.query("SELECT start_at FROM busy_blocks WHERE root_id = $1 ORDER BY start_at", series)
        .stream().map(r -> r.getOffsetDateTime(0).toInstant()).toList();
    List<Instant> expected = new ArrayList<>(starts);
    expected.remove(cancelled);
    assertThat(blocked).as("every instance at 09:00 London").containsExactlyElementsOf(expected);
  }

  /** True when London's offset minus Toronto's is 4 hours (between the two spring switches). */
  private static boolean gapWeek(Instant t) {
    return LONDON.getRules().getOffset(t).getTotalSeconds() - BookingSupport.TORONTO.getRules().getOffset(t).getTotalSeconds()
        == 4 * 3600;
  }

  private static String compact(Instant t) {
    return t.toString().replace("-", "").replace(":", "");
  }

  @Test
  void endlessOneOffEventIsClippedToTheHorizon(Harness h) {
    BookingSupport b = new BookingSupport(h, new JsonObject().put("horizonDays", 30));
    String endless = b.insert(b.timed(1, "09:00", "10:00").put("end", at("9999-12-31T00:00:00Z", "UTC")));
    b.h.runCycle();
    long rows = b.h.count("SELECT count(*) FROM busy_blocks WHERE event_id = $1", endless);
    assertThat(rows).isBetween(1L, 31L);
    Instant last = b.h.query("SELECT max(end_at) FROM busy_blocks WHERE event_id = $1", endless).get(0)
        .getOffsetDateTime(0).toInstant();
    assertThat(last).isBetween(Instant.now().plus(29, ChronoUnit.DAYS), Instant.now().plus(31, ChronoUnit.DAYS));
    assertThat(ids(b.conflicts(b.at(5, "09:00"), b.at(5, "10:00"), null))).containsExactly(endless);
  }

  @Test
  void appointmentNeverConflictsWithItsOwnEventWhoseMarkerWasStripped(Harness h) {
    BookingSupport b = new BookingSupport(h, new JsonObject());
    List<JsonObject> reports = b.collect("calsync.booking.conflict");
    b.request("calsync.appointment.booked", new JsonObject().put("appointmentId", "S-1").put("integrationId", b.integrationId)
        .put("start", b.at(1, "10:00")).put("end", b.at(1, "10:30")));
    b.h.runCycle();
    String own = EventIds.forAppointment("S-1");
    b.h.emulator.state().patchEvent(b.cal, own, new JsonObject().put("extendedProperties",
        new JsonObject().put("private", new JsonObject().putNull("calsyncAppointmentId"))));
    String clash = b.insert(b.timed(1, "10:15", "10:45"));
    b.h.runCycle();
    assertThat(b.h.count("SELECT count(*) FROM calendar_events WHERE google_event_id = $1 AND appointment_id IS NULL", own)).as("the marker is gone from the mirror").isEqualTo(1);

    assertThat(ids(b.conflicts(b.at(1, "10:00"), b.at(1, "10:30"), "S-1"))).containsExactly(clash);
    assertThat(ids(b.conflicts(b.at(1, "10:00"), b.at(1, "10:30"), "S-2"))).containsExactlyInAnyOrder(own, clash);
    // the report of that sync covers every block: only the clash is a conflict of S-1
    Harness.eventually(() -> assertThat(reports).isNotEmpty());
    assertThat(b.h.query("SELECT event_id FROM conflict_reports WHERE appointment_id = 'S-1'").stream()
        .map(r -> r.getString(0)).toList()).containsExactly(clash);
    assertThat(reports).extracting(r -> r.getString("eventId")).containsExactly(clash);
  }

  @Test
  void aCalendarExpandedOverADayAgoIsRenewedByTheSweepOnce(Harness h) {
    BookingSupport b = new BookingSupport(h, new JsonObject());
    b.insert(b.timed(1, "08:00", "09:00").put("recurrence", new JsonArray().add("RRULE:FREQ=DAILY")));
    b.h.runCycle();
    long cal = b.h.longValue("SELECT id FROM calendars");
    long blocks = b.h.count("SELECT count(*) FROM busy_blocks WHERE calendar_id = $1", cal);
    assertThat(blocks).as("a daily series over the horizon").isGreaterThan(100);

    // as if the last full expansion were two days old and its blocks lost
    b.h.query("UPDATE calendars SET busy_expanded_at = now() - interval '2 days' WHERE id = $1", cal);
    b.h.query("DELETE FROM busy_blocks WHERE calendar_id = $1", cal);
    Harness.eventually(() -> assertThat(b.h.count("SELECT count(*) FROM busy_blocks WHERE calendar_id = $1", cal)).as("the same window, give or take an instance crossing its edge meanwhile")
        .isBetween(blocks - 1, blocks + 1));
    assertThat(b.h.query("SELECT busy_expanded_at > now() - interval '1 minute' FROM calendars WHERE id = $1", cal)
        .get(0).getBoolean(0)).isTrue();
    assertThat(b.conflicts(b.at(3, "08:15"), b.at(3, "08:45"), null)).hasSize(1);
  }

  @Test
  void exceptionRemovedByAnIdOnlyTombstoneFreesItsBlockAndTheInstanceFollowsTheSeries(Harness h) {
    GoogleProxy proxy = GoogleProxy.start(h.vertx, h.emulator.baseUrl());
    BookingSupport b = new BookingSupport(h, new JsonObject(), proxy.apiBaseUrl());
    // Wednesdays 09:00-10:00 Toronto; week 2 moved to Thursday 14:00
    String weekly = b.insert(b.timed(2, "09:00", "10:00").put("recurrence", new JsonArray().add("RRULE:FREQ=WEEKLY")));
    String moved = weekly + "_" + compact(OffsetDateTime.parse(b.at(9, "09:00")).toInstant());
    b.h.emulator.state().patchEvent(b.cal, moved, new JsonObject()
        .put("start", new JsonObject().put("dateTime", b.at(10, "14:00")))
        .put("end", new JsonObject().put("dateTime", b.at(10, "15:00"))));
    b.h.runCycle();
    assertThat(ids(b.conflicts(b.at(10, "14:00"), b.at(10, "15:00"), null))).containsExactly(moved);
    assertThat(b.conflicts(b.at(9, "09:00"), b.at(9, "10:00"), null)).isEmpty();

    proxy.minimalTombstones = true;
    b.h.emulator.state().deleteEvent(b.cal, moved);
    b.h.runCycle();
    assertThat(b.h.count("SELECT count(*) FROM calendar_events WHERE google_event_id = $1", moved))
        .as("the id-only tombstone removed the exception row").isZero();
    assertThat(b.conflicts(b.at(10, "14:00"), b.at(10, "15:00"), null)).isEmpty();
    assertThat(ids(b.conflicts(b.at(9, "09:00"), b.at(9, "10:00"), null))).containsExactly(weekly);
    assertThat(ids(b.conflicts(b.at(16, "09:00"), b.at(16, "10:00"), null))).containsExactly(weekly);
  }
}
