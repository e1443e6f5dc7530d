package org.calsync.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The scheduler's due rules: daily cleanup 02:00, weekly token health Sunday 01:00, restarts, DST, the stagger window. */
class ScheduleTest {
  private static final ZoneId UTC = ZoneOffset.UTC;
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final LocalTime CLEANUP = LocalTime.of(2, 0);
  private static final LocalTime HEALTH = LocalTime.of(1, 0);

  private static Instant at(String s) {
    return Instant.parse(s);
  }

  private static boolean cleanupDue(Instant lastRun, Instant now, ZoneId zone) {
    return Schedule.due(lastRun, Schedule.lastDaily(now, zone, CLEANUP));
  }

  private static boolean healthDue(Instant lastRun, Instant now) {
    return Schedule.due(lastRun, Schedule.lastWeekly(now, UTC, DayOfWeek.SUNDAY, HEALTH));
  }

  @Test
  void dailyCleanupIsDueFromTwoOClockOn() {
    assertThat(Schedule.lastDaily(at("2026-11-25T01:59:59Z"), UTC, CLEANUP)).isEqualTo(at("2026-11-24T02:00:00Z"));
    assertThat(Schedule.lastDaily(at("2026-11-25T02:00:00Z"), UTC, CLEANUP)).isEqualTo(at("2026-11-25T02:00:00Z"));
    assertThat(Schedule.lastDaily(at("2026-11-25T23:59:00Z"), UTC, CLEANUP)).isEqualTo(at("2026-11-25T02:00:00Z"));
    Instant ranYesterday = at("2026-11-24T02:00:04Z");
    assertThat(cleanupDue(ranYesterday, at("2026-11-25T01:59:59Z"), UTC)).isFalse();
    assertThat(cleanupDue(ranYesterday, at("2026-11-25T02:00:00Z"), UTC)).isTrue();
  }

  @Test
  void aRestartNeitherRepeatsNorSkipsTheCleanup() {
    Instant ran = at("2026-11-25T02:00:03Z");
    for (String restart : new String[] {"2026-11-25T02:00:05Z", "2026-11-25T10:00:00Z", "2026-11-26T01:59:59Z"}) {
      assertThat(cleanupDue(ran, at(restart), UTC)).as("restarted at %s", restart).isFalse();
    }
    assertThat(cleanupDue(ran, at("2026-11-26T02:00:00Z"), UTC)).as("the next day's run").isTrue();

    Instant downOverNight = at("2026-11-24T02:00:03Z");
    Instant restart = at("2026-11-25T09:00:00Z");
    assertThat(cleanupDue(downOverNight, restart, UTC)).as("missed while down: runs once after the restart").isTrue();
    Instant recorded = at("2026-11-25T09:00:01Z");
    assertThat(cleanupDue(recorded, at("2026-11-25T09:00:03Z"), UTC)).as("not again the same day").isFalse();
    assertThat(cleanupDue(recorded, at("2026-11-26T02:00:00Z"), UTC)).isTrue();

    assertThat(cleanupDue(null, at("2026-11-25T10:00:00Z"), UTC)).as("a fresh install waits for 02:00").isFalse();
  }

  @Test
  void weeklyTokenHealthIsDueSundayAtOne() {
    // 2026-11-29 is a Sunday
    assertThat(Schedule.lastWeekly(at("2026-11-25T12:00:00Z"), UTC, DayOfWeek.SUNDAY, HEALTH)).isEqualTo(at("2026-11-22T01:00:00Z"));
    assertThat(Schedule.lastWeekly(at("2026-11-29T00:59:59Z"), UTC, DayOfWeek.SUNDAY, HEALTH)).isEqualTo(at("2026-11-22T01:00:00Z"));
    assertThat(Schedule.lastWeekly(at("2026-11-29T01:00:00Z"), UTC, DayOfWeek.SUNDAY, HEALTH)).isEqualTo(at("2026-11-29T01:00:00Z"));
    Instant ran = at("2026-11-22T01:00:02Z");
    assertThat(healthDue(ran, at("2026-11-28T23:00:00Z"))).as("restart on Saturday").isFalse();
    assertThat(healthDue(ran, at("2026-11-29T00:59:59Z"))).isFalse();
    assertThat(healthDue(ran, at("2026-11-29T01:00:00Z"))).isTrue();
    assertThat(healthDue(at("2026-11-29T01:00:01Z"), at("2026-12-05T12:00:00Z"))).as("not again that week").isFalse();
    assertThat(healthDue(at("2026-11-15T01:00:01Z"), at("2026-11-25T12:00:00Z"))).as("missed Sunday: once now").isTrue();
  }

  @Test
  void daylightSavingTimeNeitherSkipsNorRepeats() {
    // 2026-03-29: Berlin skips 02:00-03:00 local; the run moves to 03:00 CEST (01:00Z)
    assertThat(Schedule.lastDaily(at("2026-03-29T01:30:00Z"), BERLIN, CLEANUP)).isEqualTo(at("2026-03-29T01:00:00Z"));
    assertThat(cleanupDue(at("2026-03-28T01:00:03Z"), at("2026-03-29T01:30:00Z"), BERLIN)).isTrue();
    // 2026-10-25: Berlin has 02:00 twice (00:00Z CEST and 01:00Z CET); it runs at the first only
    assertThat(Schedule.lastDaily(at("2026-10-25T01:30:00Z"), BERLIN, CLEANUP)).isEqualTo(at("2026-10-25T00:00:00Z"));
    Instant ranAtFirst = at("2026-10-25T00:00:02Z");
    assertThat(cleanupDue(ranAtFirst, at("2026-10-25T01:00:00Z"), BERLIN)).as("the second 02:00").isFalse();
    assertThat(cleanupDue(ranAtFirst, at("2026-10-25T01:30:00Z"), BERLIN)).isFalse();
    assertThat(cleanupDue(ranAtFirst, at("2026-10-26T01:00:00Z"), BERLIN)).as("02:00 CET the next day").isTrue();
  }

  @Test
  void autoSyncRunsAtOnceThenEveryInterval() {
    long thirtyMinutes = 30 * 60_000L;
    Instant last = at("2026-11-25T10:00:00Z");
    assertThat(Schedule.autoSyncDue(null, last, thirtyMinutes)).isTrue();
    assertThat(Schedule.autoSyncDue(last, at("2026-11-25T10:29:59Z"), thirtyMinutes)).isFalse();
    assertThat(Schedule.autoSyncDue(last, at("2026-11-25T10:30:00Z"), thirtyMinutes)).isTrue();
    assertThat(Schedule.staggerWindowMillis(30, true)).isEqualTo(27 * 60_000L);
    assertThat(Schedule.staggerWindowMillis(1, true)).isEqualTo(54_000L);
    assertThat(Schedule.staggerWindowMillis(30, false)).isZero();
  }
}
