package org.calsync.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import org.calsync.booking.EventIds;
import org.calsync.mirror.BusyExpansion.Block;
import org.calsync.mirror.BusyExpansion.Source;
import org.junit.jupiter.api.Test;

/** Busy semantics as a pure function: what blocks, recurrence in the calendar's zone, exceptions, horizon. */
class BusyExpansionTest {
  private static final ZoneId TORONTO = ZoneId.of("America/Toronto");

  private static OffsetDateTime local(String t) {
    return LocalDateTime.parse(t).atZone(TORONTO).toOffsetDateTime();
  }

  private static Source timed(String id, String start, String end) {
    return new Source(id, "confirmed", "opaque", null, local(start), local(end), false, null, null, null, null, null);
  }

  @Test
  void transparentCancelledAndDeclinedDoNotBlock() {
    List<Source> rows = List.of(
        timed("busy", "2027-01-04T09:00", "2027-01-04T10:00"),
        new Source("free", "confirmed", "transparent", null, local("2027-01-04T11:00"), local("2027-01-04T12:00"), false, null, null, null, null, null),
        new Source("gone", "cancelled", "opaque", null, local("2027-01-04T13:00"), local("2027-01-04T14:00"), false, null, null, null, null, null),
        new Source("no", "confirmed", "opaque", "declined", local("2027-01-04T15:00"), local("2027-01-04T16:00"), false, null, null, null, null, null),
        new Source("maybe", "tentative", "opaque", "tentative", local("2027-01-04T17:00"), local("2027-01-04T18:00"), false, null, null, null, null, null));
    List<Block> blocks = BusyExpansion.expand(rows, TORONTO, Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2027-06-01T00:00:00Z")).blocks();
    assertThat(blocks).extracting(Block::eventId).containsExactlyInAnyOrder("busy", "maybe");
  }

  @Test
  void weeklyRecurrenceKeepsWallClockAcrossDstWithExceptions() {
    // Mondays 09:00-10:00 Toronto from 2027-02-22 (EST, UTC-5) across the 2027-03-14 switch to EDT (UTC-4).
    Source master = new Source("m", "confirmed", "opaque", null, local("2027-02-22T09:00"), local("2027-02-22T10:00"), false,
        "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=6\nEXDATE;TZID=America/Toronto:20270308T090000", null, null, null, null);
    Source moved = new Source("m_20270315T130000Z", "confirmed", "opaque", null, local("2027-03-16T14:00"), local("2027-03-16T15:00"),
        false, null, "m", local("2027-03-15T09:00"), null, null);
    Source cancelled = new Source("m_20270322T130000Z", "cancelled", "transparent", null, null, null, false, null, "m",
        local("2027-03-22T09:00"), null, null);
    List<Block> blocks = BusyExpansion.expand(List.of(master, moved, cancelled), TORONTO,
        Instant.parse("2027-01-01T00:00:00Z"), Instant.parse("2027-12-01T00:00:00Z")).blocks();
    assertThat(blocks).extracting(b -> b.start().toString()).containsExactlyInAnyOrder(
        "2027-02-22T14:00:00Z", "2027-03-01T14:00:00Z", // EST
        "2027-03-16T18:00:00Z",                         // the moved instance at its own time (EDT)
        "2027-03-29T13:00:00Z");                        // EDT: still 09:00 local
    assertThat(blocks).allMatch(b -> b.rootId().equals("m"));
    assertThat(blocks).filteredOn(b -> b.start().toString().equals("2027-03-16T18:00:00Z"))
        .extracting(Block::eventId).containsExactly("m_20270315T130000Z");
  }

  @Test
  void infiniteRuleIsBoundedByTheHorizonAndAllDayBlocksLocalDays() {
    Source daily = new Source("d", "confirmed", "opaque", null, local("2027-01-01T08:00"), local("2027-01-01T08:30"), false,
        "RRULE:FREQ=DAILY", null, null, null, null);
    OffsetDateTime day = LocalDate.parse("2027-01-10").atStartOfDay(TORONTO).toOffsetDateTime();
    Source allDay = new Source("a", "confirmed", "opaque", null, day, day.plusDays(2).atZoneSameInstant(TORONTO)
        .toLocalDate().atStartOfDay(TORONTO).toOffsetDateTime(), true, null, null, null, null, null);
    Instant from = Instant.parse("2027-01-05T00:00:00Z");
    Instant until = Instant.parse("2027-01-15T00:00:00Z");
    List<Block> blocks = BusyExpansion.expand(List.of(daily, allDay), TORONTO, from, until).blocks();
    assertThat(blocks).filteredOn(b -> b.eventId().equals("d")).hasSize(10)
        .allMatch(b -> b.start().isAfter(from) && b.start().isBefore(until));
    // two local days, split into one-day pieces, from local midnight (05:00Z in winter)
    assertThat(blocks).filteredOn(b -> b.eventId().equals("a")).extracting(b -> b.start() + "/" + b.end())
        .containsExactly("2027-01-10T05:00:00Z/2027-01-11T05:00:00Z", "2027-01-11T05:00:00Z/2027-01-12T05:00:00Z");
  }

  @Test
  void allDayWeeklySeriesUsesLocalMidnights() {
    OffsetDateTime d = LocalDate.parse("2027-03-08").atStartOfDay(TORONTO).toOffsetDateTime();
    Source master = new Source("w", "confirmed", "opaque", null, d, LocalDate.parse("2027-03-09").atStartOfDay(TORONTO)
        .toOffsetDateTime(), true, "RRULE:FREQ=WEEKLY;COUNT=3\nEXDATE;VALUE=DATE:20270322", null, null, null, null);
    List<Block> blocks = BusyExpansion.expand(List.of(master), TORONTO, Instant.parse("2027-03-01T00:00:00Z"),
        Instant.parse("2027-04-01T00:00:00Z")).blocks();
    assertThat(blocks).extracting(b -> b.start() + "/" + b.end()).containsExactly(
        "2027-03-08T05:00:00Z/2027-03-09T05:00:00Z", "2027-03-15T04:00:00Z/2027-03-16T04:00:00Z");
  }

  @Test
  void timedSeriesExpandsInItsOwnZoneAndItsExceptionsMatchThere() {
    // Mondays 09:00 London on a Toronto calendar: on 2027-03-15 and 03-22 North America is already on summer time,
    // the UK is not yet (03-28), so 09:00 London stays 09:00Z while Toronto's wall clock moves.
    ZoneId london = ZoneId.of("Europe/London");
    OffsetDateTime first = LocalDateTime.parse("2027-03-01T09:00").atZone(london).toOffsetDateTime();
    Source master = new Source("l", "confirmed", "opaque", null, first, first.plusHours(1), false,
        "RRULE:FREQ=WEEKLY;COUNT=6\nEXDATE:20270308T090000", null, null, null, "Europe/London");
    Source cancelled = new Source("l_20270322T090000Z", "cancelled", "transparent", null, null, null, false, null, "l",
        OffsetDateTime.parse("2027-03-22T09:00:00Z"), null, null);
    List<Block> blocks = BusyExpansion.expand(List.of(master, cancelled), TORONTO,
        Instant.parse("2027-02-01T00:00:00Z"), Instant.parse("2027-05-01T00:00:00Z")).blocks();
    assertThat(blocks).extracting(b -> b.start().toString()).containsExactly(
        "2027-03-01T09:00:00Z", "2027-03-15T09:00:00Z", "2027-03-29T08:00:00Z", "2027-04-05T08:00:00Z");

    // no zone, or one Java does not know: the calendar's
    Source local = new Source("t", "confirmed", "opaque", null, local("2027-03-01T09:00"), local("2027-03-01T10:00"), false,
        "RRULE:FREQ=WEEKLY;COUNT=3", null, null, null, "Mars/Olympus_Mons");
    assertThat(BusyExpansion.expand(List.of(local), TORONTO, Instant.parse("2027-02-01T00:00:00Z"),
        Instant.parse("2027-05-01T00:00:00Z")).blocks()).extracting(b -> b.start().toString())
        .containsExactly("2027-03-01T14:00:00Z", "2027-03-08T14:00:00Z", "2027-03-15T13:00:00Z");
  }

  @Test
  void longEventsAreClippedToTheWindow() {
    Source endless = new Source("e", "confirmed", "opaque", null, local("2027-01-01T09:00"),
        OffsetDateTime.parse("9999-12-31T00:00:00Z"), false, null, null, null, null, null);
    Source past = timed("p", "2026-01-01T09:00", "2026-01-01T10:00");
    Instant from = Instant.parse("2027-01-05T12:00:00Z");
    Instant until = Instant.parse("2027-01-15T00:00:00Z");
    List<Block> blocks = BusyExpansion.expand(List.of(endless, past), TORONTO, from, until).blocks();
    assertThat(blocks).hasSize(10).allMatch(b -> b.eventId().equals("e"));
    assertThat(blocks.get(0).start()).isEqualTo(from);
    assertThat(blocks.get(blocks.size() - 1).end()).isEqualTo(until);
  }

  @Test
  void eventIdsAreBase32HexAndStable() {
    String id = EventIds.forAppointment("appt-42");
    assertThat(id).matches("cs[0-9a-v]{52}").isEqualTo(EventIds.forAppointment("appt-42"))
        .isNotEqualTo(EventIds.forAppointment("appt-43"));
  }
}
