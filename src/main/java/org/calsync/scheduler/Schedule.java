package org.calsync.scheduler;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;

/**
 * When the scheduler's tasks are due. A daily/weekly task is due when its last run (scheduler_runs.last_run_at) is
 * before the most recent due instant, so a process restarted or taking over after that instant runs it once, and
 * one started after a run does not repeat it. Local times that fall into a DST gap move forward; times a DST overlap
 * makes occur twice count once (the earlier).
 */
public final class Schedule {
  private Schedule() {
  }

  /** The most recent instant at or before now when the local time in zone was at. */
  public static Instant lastDaily(Instant now, ZoneId zone, LocalTime at) {
    LocalDate today = now.atZone(zone).toLocalDate();
    Instant candidate = ZonedDateTime.of(today, at, zone).toInstant();
    return candidate.isAfter(now) ? ZonedDateTime.of(today.minusDays(1), at, zone).toInstant() : candidate;
  }

  /** The most recent instant at or before now that was the given day of week at the local time at in zone. */
  public static Instant lastWeekly(Instant now, ZoneId zone, DayOfWeek day, LocalTime at) {
    LocalDate date = now.atZone(zone).toLocalDate().with(TemporalAdjusters.previousOrSame(day));
    Instant candidate = ZonedDateTime.of(date, at, zone).toInstant();
    return candidate.isAfter(now) ? ZonedDateTime.of(date.minusWeeks(1), at, zone).toInstant() : candidate;
  }

  /** A daily/weekly task that never ran (lastRun null) waits for its first due instant instead of running at once. */
  public static boolean due(Instant lastRun, Instant lastDue) {
    return lastRun != null && lastRun.isBefore(lastDue);
  }

  /** The automatic sync runs at once the first time, then every intervalMillis after its last run. */
  public static boolean autoSyncDue(Instant lastRun, Instant now, long intervalMillis) {
    return lastRun == null || !now.isBefore(lastRun.plusMillis(intervalMillis));
  }

  /** How long a cycle's jobs are spread over: 90% of the interval when stagger, else 0 (all due at once). */
  public static long staggerWindowMillis(int intervalMinutes, boolean stagger) {
    return stagger ? intervalMinutes * 60_000L * 9 / 10 : 0;
  }
}
