package org.calsync.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TimeZone;
import org.calsync.mirror.BusyExpansion.Block;
import org.calsync.mirror.BusyExpansion.Expansion;
import org.calsync.mirror.BusyExpansion.Source;
import org.dmfs.rfc5545.DateTime;
import org.dmfs.rfc5545.recur.RecurrenceRule;
import org.dmfs.rfc5545.recurrenceset.OfRuleAndFirst;
import org.junit.jupiter.api.Test;

/**
 * Expansion cost is bounded by the window, not the series' age; overlapping instances become one block; a series past
 * the caps is quarantined and busy over its whole span. Instances near the window are checked against lib-recur
 * iterating the whole series itself.
 */
class BoundedRecurrenceTest {
  private static final ZoneId UTC = ZoneOffset.UTC;
  private static final Instant FROM = Instant.parse("2027-01-04T00:00:00Z");
  private static final Instant UNTIL = FROM.plus(Duration.ofDays(190));

  private static Source master(String id, OffsetDateTime start, Duration length, String rrule, String zone) {
    return new Source(id, "confirmed", "opaque", null, start, start.plus(length), false, rrule, null, null, null, zone);
  }

  private static OffsetDateTime utc(String t) {
    return OffsetDateTime.parse(t);
  }

  /** Blocks that together cover exactly [from, until) without gaps. */
  private static void coversWholeWindow(List<Block> blocks, Instant from, Instant until) {
    assertThat(blocks).isNotEmpty();
    assertThat(blocks.get(0).start()).isEqualTo(from);
    for (int i = 1; i < blocks.size(); i++) assertThat(blocks.get(i).start()).isEqualTo(blocks.get(i - 1).end());
    assertThat(blocks.get(blocks.size() - 1).end()).isEqualTo(until);
  }

  @Test
  void secondlyBillionCountFrom1970EndedLongAgoAndCostsNothing() {
    Source s = master("s", utc("1970-01-01T00:00:00Z"), Duration.ofSeconds(1), "RRULE:FREQ=SECONDLY;COUNT=1000000000", "UTC");
    Expansion e = BusyExpansion.expand(List.of(s), UTC, FROM, UNTIL);
    assertThat(e.blocks()).isEmpty();
    assertThat(e.quarantined()).isEmpty();
    // today's main walks all 10^9 instances to find that out (12.6 s): the skip is computed
    assertThat(SeriesInstances.of(s, UTC, FROM, UNTIL).iterated()).isZero();

    // around its end (1970 + 10^9 s = 2001-09-09T01:46:40Z): the last instance starts a second before
    Instant from = Instant.parse("2001-09-09T01:00:00Z");
    Instant until = Instant.parse("2001-09-09T02:00:00Z");
    SeriesInstances.Result r = SeriesInstances.of(s, UTC, from, until);
    assertThat(r.overflow()).isNull();
    assertThat(r.starts()).hasSize(2800).first().isEqualTo(from);
    assertThat(r.starts().get(2799)).isEqualTo(Instant.parse("2001-09-09T01:46:39Z"));
    assertThat(r.iterated()).as("bounded by the window and the DST margin").isLessThan(26 * 3600 + 2800 + 1);
    Expansion tail = BusyExpansion.expand(List.of(s), UTC, from, until);
    assertThat(tail.blocks()).extracting(b -> b.start() + "/" + b.end())
        .containsExactly("2001-09-09T01:00:00Z/2001-09-09T01:46:40Z");
  }

  @Test
  void minutelyFrom1900IsQuarantinedAndBusyOverTheWholeWindow() {
    Source m = master("m", utc("1900-01-01T08:00:00Z"), Duration.ofSeconds(30), "RRULE:FREQ=MINUTELY", "Europe/Paris");
    Source other = new Source("o", "confirmed", "opaque", null, utc("2027-02-01T09:00:00Z"), utc("2027-02-01T10:00:00Z"),
        false, null, null, null, null, null);
    Expansion e = BusyExpansion.expand(List.of(m, other), UTC, FROM, UNTIL);
    assertThat(e.quarantined()).singleElement().satisfies(q -> {
      assertThat(q.rootId()).isEqualTo("m");
      assertThat(q.reason()).contains("instances");
      assertThat(q.spanEnd()).as("no UNTIL: open-ended").isNull();
    });
    List<Block> mine = e.blocks().stream().filter(b -> b.eventId().equals("m")).toList();
    coversWholeWindow(mine, FROM, UNTIL);
    assertThat(mine).hasSize(190);
    assertThat(e.blocks()).as("the rest of the calendar is expanded").anyMatch(b -> b.eventId().equals("o"));
    assertThat(SeriesInstances.of(m, ZoneId.of("Europe/Paris"), FROM, UNTIL).iterated())
        .isLessThanOrEqualTo(SeriesInstances.MAX_INSTANCES + 26 * 60 + 2);

    // a one-hour window is within the caps: exactly its 60 instances, as lib-recur counts them
    Instant until = FROM.plus(Duration.ofHours(1));
    SeriesInstances.Result r = SeriesInstances.of(m, ZoneId.of("Europe/Paris"), FROM, until);
    assertThat(r.starts()).isEqualTo(reference(m, ZoneId.of("Europe/Paris"), FROM, until, FROM.minus(Duration.ofDays(2))));
    assertThat(r.starts()).hasSize(60);
  }

  @Test
  void hourlyWithAOneYearDurationIsOneBlockPerDay() {
    Source h = master("h", utc("2020-03-01T09:00:00Z"), Duration.ofDays(365), "RRULE:FREQ=HOURLY", "Europe/London");
    Expansion e = BusyExpansion.expand(List.of(h), UTC, FROM, UNTIL);
    assertThat(e.quarantined()).isEmpty();
    coversWholeWindow(e.blocks(), FROM, UNTIL);
    assertThat(e.blocks()).as("today's main stores 519,080 rows").hasSize(190);
  }

  @Test
  void aRuleLibRecurCannotExpandIsQuarantinedNotDropped() {
    // lib-recur gives up on more than 1000 empty periods in a row (SECONDLY filtered to one minute an hour)
    Source s = master("x", utc("2026-06-01T00:00:00Z"), Duration.ofMinutes(5), "RRULE:FREQ=SECONDLY;BYMINUTE=15;UNTIL=20270301T000000Z", "UTC");
    Expansion e = BusyExpansion.expand(List.of(s), UTC, FROM, UNTIL);
    assertThat(e.quarantined()).singleElement().satisfies(q -> assertThat(q.spanEnd()).isEqualTo(Instant.parse("2027-03-01T00:05:00Z")));
    coversWholeWindow(e.blocks(), FROM, Instant.parse("2027-03-01T00:05:00Z"));
  }

  /** Rule, series start (local, in zone), zone, window start (local): the skip must not change a single instance. */
  @Test
  void instancesNearTheWindowAreLibRecursOwn() {
    String[][] cases = {
        {"FREQ=MINUTELY;INTERVAL=7", "2024-02-29T01:30:00", "America/Toronto", "2027-03-13T00:00:00"},
        {"FREQ=HOURLY;INTERVAL=5", "2023-05-05T03:00:00", "Europe/London", "2027-03-27T00:00:00"},
        {"FREQ=HOURLY;BYHOUR=1,2,3;BYDAY=SU", "2023-01-01T01:00:00", "America/Toronto", "2027-03-07T00:00:00"},
        {"FREQ=MINUTELY;INTERVAL=13;BYHOUR=9,17;BYDAY=MO,WE", "2024-01-03T09:00:00", "Europe/Berlin", "2027-03-22T00:00:00"},
        {"FREQ=SECONDLY;INTERVAL=17;COUNT=8000000", "2023-01-01T00:00:00", "UTC", "2027-04-22T00:00:00"},
        {"FREQ=DAILY;INTERVAL=3;UNTIL=20270320T000000Z", "2019-06-15T10:00:00", "America/New_York", "2027-03-01T00:00:00"},
        {"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=SU", "2020-01-07T18:30:00", "Australia/Sydney", "2027-03-30T00:00:00"},
        {"FREQ=DAILY;COUNT=3000", "2020-01-01T07:00:00", "Asia/Kolkata", "2028-03-10T00:00:00"},
        {"FREQ=WEEKLY;COUNT=400", "2020-01-02T12:00:00", "UTC", "2027-08-01T00:00:00"},
        {"FREQ=MONTHLY;BYDAY=-1FR", "2000-01-28T16:00:00", "Europe/London", "2027-01-20T00:00:00"},
        {"FREQ=HOURLY;INTERVAL=25", "2021-03-14T02:30:00", "America/Toronto", "2027-03-10T00:00:00"},
    };
    for (String[] c : cases) {
      ZoneId zone = ZoneId.of(c[2]);
      OffsetDateTime start = LocalDateTime.parse(c[1]).atZone(zone).toOffsetDateTime();
      Source s = master("r", start, Duration.ofMinutes(1), "RRULE:" + c[0], c[2]);
      Instant from = LocalDateTime.parse(c[3]).atZone(zone).toInstant();
      Instant until = from.plus(Duration.ofDays(21));
      SeriesInstances.Result r = SeriesInstances.of(s, zone, from, until);
      assertThat(r.overflow()).as(c[0]).isNull();
      assertThat(r.starts()).as(c[0]).isEqualTo(reference(s, zone, from, until, null)).isNotEmpty();
    }
    // all-day series, in the calendar's zone
    ZoneId toronto = ZoneId.of("America/Toronto");
    for (String rule : List.of("FREQ=DAILY;INTERVAL=2", "FREQ=WEEKLY;BYDAY=MO,FR", "FREQ=DAILY;COUNT=3000")) {
      OffsetDateTime day = LocalDate.parse("2019-01-01").atStartOfDay(toronto).toOffsetDateTime();
      Source s = new Source("a", "confirmed", "opaque", null, day, LocalDate.parse("2019-01-02").atStartOfDay(toronto)
          .toOffsetDateTime(), true, "RRULE:" + rule, null, null, null, null);
      Instant from = LocalDate.parse("2027-03-01").atStartOfDay(toronto).toInstant();
      Instant until = from.plus(Duration.ofDays(30));
      assertThat(SeriesInstances.of(s, toronto, from, until).starts()).as(rule)
          .isEqualTo(reference(s, toronto, from, until, null)).isNotEmpty();
    }
  }

  /** lib-recur's own iteration of the whole series (from its start, or fast-forwarded to skipTo), within the window, sorted. */
  private static List<Instant> reference(Source s, ZoneId zone, Instant from, Instant until, Instant skipTo) {
    RecurrenceRule rule;
    try {
      rule = new RecurrenceRule(s.recurrence().substring(6), RecurrenceRule.RfcMode.RFC5545_LAX);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    DateTime first = s.allDay() ? SeriesInstances.allDay(s.start().atZoneSameInstant(zone).toLocalDate())
        : new DateTime(TimeZone.getTimeZone(zone), s.start().toInstant().toEpochMilli());
    Iterator<DateTime> it = new OfRuleAndFirst(rule, first).iterator();
    if (skipTo != null) ((org.dmfs.rfc5545.InstanceIterator) it).fastForward(new DateTime(first.getTimeZone(), skipTo.toEpochMilli()));
    // in a DST gap lib-recur moves an instance forward by the gap, so its order is not quite the instants' order
    java.util.TreeSet<Instant> out = new java.util.TreeSet<>();
    while (it.hasNext()) {
      Instant t = SeriesInstances.toInstant(it.next(), zone);
      if (t.isAfter(until.plus(Duration.ofDays(1)))) break;
      if (!t.isBefore(from) && t.isBefore(until)) out.add(t);
    }
    return new ArrayList<>(out);
  }
}
