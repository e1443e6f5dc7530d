package org.calsync.emulator;

import io.vertx.core.json.JsonArray;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * The RRULE subset the emulator expands: FREQ=DAILY|WEEKLY|MONTHLY with INTERVAL, COUNT, UNTIL and (weekly) BYDAY.
 * Other RRULE parts are ignored; EXDATE/RDATE lines are ignored. Expansion is bounded to {@link #MAX_INSTANCES}
 * instances and to two years after max(series start, now).
 */
final class Recurrence {
  static final int MAX_INSTANCES = 1000;
  static final long HORIZON_MS = 2L * 366 * 24 * 3600 * 1000;

  enum Freq { DAILY, WEEKLY, MONTHLY }

  final Freq freq;
  final int interval;
  final int count;            // 0 = unbounded
  final Long untilMs;         // null = unbounded
  final LocalDate untilDate;  // UNTIL in date form (all-day)
  final EnumSet<DayOfWeek> byDay;

  private Recurrence(Freq freq, int interval, int count, Long untilMs, LocalDate untilDate, EnumSet<DayOfWeek> byDay) {
    this.freq = freq;
    this.interval = interval;
    this.count = count;
    this.untilMs = untilMs;
    this.untilDate = untilDate;
    this.byDay = byDay;
  }

  /** Parses the RRULE line of an event's recurrence array; throws ApiError 400 when missing or unsupported. */
  static Recurrence parse(JsonArray lines) {
    if (lines == null) return null;
    for (Object o : lines) {
      String line = String.valueOf(o);
      if (line.toUpperCase(Locale.ROOT).startsWith("RRULE:")) return parseRule(line.substring(6));
    }
    throw GoogleErrors.invalid("Invalid recurrence rule.");
  }

  private static Recurrence parseRule(String rule) {
    Freq freq = null;
    int interval = 1, count = 0;
    Long untilMs = null;
    LocalDate untilDate = null;
    EnumSet<DayOfWeek> byDay = EnumSet.noneOf(DayOfWeek.class);
    try {
      for (String part : rule.split(";")) {
        int eq = part.indexOf('=');
        if (eq < 0) continue;
        String k = part.substring(0, eq).trim().toUpperCase(Locale.ROOT);
        String v = part.substring(eq + 1).trim().toUpperCase(Locale.ROOT);
        switch (k) {
          case "FREQ" -> freq = Freq.valueOf(v);
          case "INTERVAL" -> interval = Integer.parseInt(v);
          case "COUNT" -> count = Integer.parseInt(v);
          case "UNTIL" -> {
            if (v.length() == 8) {
              untilDate = LocalDate.parse(v, DateTimeFormatter.BASIC_ISO_DATE);
              untilMs = untilDate.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() - 1;
            } else {
              String s = v.endsWith("Z") ? v.substring(0, v.length() - 1) : v;
              untilMs = LocalDateTime.parse(s, DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"))
                .toInstant(ZoneOffset.UTC).toEpochMilli();
            }
          }
          case "BYDAY" -> {
            for (String d : v.split(",")) byDay.add(day(d.replaceAll("^[+-]?\\d+", "")));
          }
          default -> { }
        }
      }
    } catch (RuntimeException e) {
      throw GoogleErrors.invalid("Invalid recurrence rule.");
    }
    if (freq == null || interval < 1 || count < 0) throw GoogleErrors.invalid("Invalid recurrence rule.");
    return new Recurrence(freq, interval, count, untilMs, untilDate, byDay);
  }

  private static DayOfWeek day(String d) {
    return switch (d) {
      case "MO" -> DayOfWeek.MONDAY; case "TU" -> DayOfWeek.TUESDAY; case "WE" -> DayOfWeek.WEDNESDAY;
      case "TH" -> DayOfWeek.THURSDAY; case "FR" -> DayOfWeek.FRIDAY; case "SA" -> DayOfWeek.SATURDAY;
      case "SU" -> DayOfWeek.SUNDAY; default -> throw new IllegalArgumentException(d);
    };
  }

  /** Original start times of the series, in order, starting with {@code start} itself. */
  List<ZonedDateTime> expand(ZonedDateTime start, long nowMs) {
    long horizon = Math.max(start.toInstant().toEpochMilli(), nowMs) + HORIZON_MS;
    List<ZonedDateTime> out = new ArrayList<>();
    int limit = count > 0 ? Math.min(count, MAX_INSTANCES) : MAX_INSTANCES;
    if (freq == Freq.WEEKLY && !byDay.isEmpty()) {
      ZonedDateTime weekStart = start.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      for (int w = 0; out.size() < limit; w += interval) {
        ZonedDateTime week = weekStart.plusWeeks(w);
        if (week.toInstant().toEpochMilli() > horizon) break;
        for (DayOfWeek d : byDay) {
          ZonedDateTime t = week.with(TemporalAdjusters.nextOrSame(d));
          t = ZonedDateTime.of(t.toLocalDate(), start.toLocalTime(), start.getZone());
          if (t.isBefore(start)) continue;
          if (!accept(t, horizon)) return out;
          out.add(t);
          if (out.size() >= limit) break;
        }
      }
      return out;
    }
    for (int i = 0; out.size() < limit && i < 100_000; i++) {
      ZonedDateTime t;
      switch (freq) {
        case DAILY -> t = start.plusDays((long) i * interval);
        case WEEKLY -> t = start.plusWeeks((long) i * interval);
        default -> {
          t = start.plusMonths((long) i * interval);
          if (t.getDayOfMonth() != start.getDayOfMonth()) continue; // RFC 5545: invalid dates are skipped
        }
      }
      if (!accept(t, horizon)) break;
      out.add(t);
    }
    return out;
  }

  private boolean accept(ZonedDateTime t, long horizon) {
    long ms = t.toInstant().toEpochMilli();
    if (untilMs != null && ms > untilMs) return false;
    return ms <= horizon;
  }

  /** Google's instance id: master id + "_" + original start as yyyyMMdd'T'HHmmss'Z' (or yyyyMMdd when all-day). */
  static String instanceId(String masterId, ZonedDateTime originalStart, boolean allDay) {
    return masterId + "_" + (allDay ? Times.DATE_SUFFIX.format(originalStart.toLocalDate())
      : Times.INSTANCE_SUFFIX.format(originalStart.toInstant()));
  }

  static ZoneId zoneOf(String tz, ZoneId fallback) {
    ZoneId z = Times.zone(tz, fallback);
    return z == null ? fallback : z;
  }
}
