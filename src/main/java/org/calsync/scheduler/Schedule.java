package org.calsync.scheduler;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;

/** Most recent due instants of the daily and weekly tasks: a task is due when it last ran before that instant. */
public final class Schedule {
  private Schedule() {
  }

  public static Instant lastDaily(Instant now, ZoneId zone, LocalTime at) {
    ZonedDateTime today = now.atZone(zone).with(at);
    return (today.toInstant().isAfter(now) ? today.minusDays(1) : today).toInstant();
  }

  public static Instant lastWeekly(Instant now, ZoneId zone, DayOfWeek day, LocalTime at) {
    ZonedDateTime candidate = now.atZone(zone).with(TemporalAdjusters.previousOrSame(day)).with(at);
    return (candidate.toInstant().isAfter(now) ? candidate.minusWeeks(1) : candidate).toInstant();
  }
}
