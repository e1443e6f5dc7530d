package org.calsync.emulator;

import io.vertx.core.json.JsonArray;

import java.time.DayOfWeek;
import java.time.Instant;
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
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The RRULE subset the emulator expands: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY with INTERVAL, COUNT, UNTIL and BYDAY
 * (WEEKLY: weekdays; MONTHLY: weekdays with an optional ordinal, e.g. 2TU, -1FR, or every such weekday of the month
 * without one). UNTIL is a UTC date-time ({@code ...Z}), a floating date-time or a date; the last two are read in
 * the event's time zone (a date UNTIL includes that whole local day). Other RRULE parts are ignored. EXDATE lines remove occurrences and RDATE lines add some (RFC 5545 3.8.5): values
 * {@code yyyyMMdd'T'HHmmss'Z'} (UTC), {@code yyyyMMdd'T'HHmmss} (in the TZID parameter's zone, else the event's) or
 * {@code yyyyMMdd} (VALUE=DATE: an EXDATE date removes the occurrence starting on that local date; an RDATE date adds
 * one at the series' local start time), comma-separated lists allowed; RDATE periods are refused (400). COUNT counts
 * RRULE occurrences before EXDATEs remove any. A recurrence may have RDATEs without an RRULE. Expansion is bounded
 * to {@link #MAX_INSTANCES} instances and to two years after max(series start, now).
 */
final class Recurrence {
  static final int MAX_INSTANCES = 1000;
  static final long HORIZON_MS = 2L * 366 * 24 * 3600 * 1000;

  enum Freq { DAILY, WEEKLY, MONTHLY, YEARLY }

  /** One BYDAY entry: a weekday and its ordinal inside the month (0 = every such weekday). */
  record ByDay(int ordinal, DayOfWeek day) {}

  final Freq freq;
  final int interval;
  final int count;            // 0 = unbounded
  final Until until;          // null = unbounded
  final List<ByDay> byDay;

  /** UNTIL: an instant (UTC form), or a local date-time or date resolved in the event's zone. */
  record Until(Instant instant, LocalDateTime local, LocalDate date) {
    long ms(ZoneId zone) {
      if (instant != null) return instant.toEpochMilli();
      if (local != null) return local.atZone(zone).toInstant().toEpochMilli();
      return date.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli() - 1;
    }
  }
  final List<DateValue> exdates;
  final List<DateValue> rdates;

  /** One EXDATE/RDATE value: an instant, a local date-time (zone null = the event's) or a date. */
  record DateValue(Instant instant, LocalDateTime local, ZoneId zone, LocalDate date) {
    ZonedDateTime resolve(ZonedDateTime start) {
      if (instant != null) return instant.atZone(start.getZone());
      if (local != null) return local.atZone(zone != null ? zone : start.getZone()).withZoneSameInstant(start.getZone());
      return ZonedDateTime.of(date, start.toLocalTime(), start.getZone());
    }

    boolean excludes(ZonedDateTime t) {
      if (date != null) return t.toLocalDate().equals(date);
      return resolve(t).toInstant().equals(t.toInstant());
    }
  }

  private Recurrence(Freq freq, int interval, int count, Until until, List<ByDay> byDay) {
    this(freq, interval, count, until, byDay, List.of(), List.of());
  }

  private Recurrence(Freq freq, int interval, int count, Until until, List<ByDay> byDay,
                     List<DateValue> exdates, List<DateValue> rdates) {
    this.exdates = exdates;
    this.rdates = rdates;
    this.freq = freq;
    this.interval = interval;
    this.count = count;
    this.until = until;
    this.byDay = byDay;
  }

  /** True when the series has no end (an RRULE without COUNT or UNTIL). */
  boolean unbounded() { return freq != null && count == 0 && until == null; }

  /**
   * Parses an event's recurrence array (RRULE, EXDATE, RDATE lines; others ignored); throws ApiError 400 when there
   * is neither RRULE nor RDATE or a line is unsupported.
   */
  static Recurrence parse(JsonArray lines) {
    if (lines == null) return null;
    Recurrence rule = null;
    List<DateValue> ex = new ArrayList<>();
    List<DateValue> rd = new ArrayList<>();
    for (Object o : lines) {
      String line = String.valueOf(o);
      String upper = line.toUpperCase(Locale.ROOT);
      if (upper.startsWith("RRULE:")) {
        if (rule == null) rule = parseRule(line.substring(6));
      } else if (upper.startsWith("EXDATE:") || upper.startsWith("EXDATE;")) {
        ex.addAll(parseDates(line.substring(6)));
      } else if (upper.startsWith("RDATE:") || upper.startsWith("RDATE;")) {
        rd.addAll(parseDates(line.substring(5)));
      }
    }
    if (rule == null && rd.isEmpty()) throw GoogleErrors.invalid("Invalid recurrence rule.");
    if (rule == null) return new Recurrence(null, 1, 0, null, List.of(), List.of(), List.copyOf(rd));
    if (ex.isEmpty() && rd.isEmpty()) return rule;
    return new Recurrence(rule.freq, rule.interval, rule.count, rule.until, rule.byDay, List.copyOf(ex), List.copyOf(rd));
  }

  /** {@code rest} is ";PARAM=V;...:v1,v2" or ":v1,v2". */
  private static List<DateValue> parseDates(String rest) {
    int colon = rest.indexOf(':');
    if (colon < 0) throw GoogleErrors.invalid("Invalid recurrence rule.");
    ZoneId zone = null;
    boolean dateOnly = false;
    for (String param : rest.substring(0, colon).split(";")) {
      int eq = param.indexOf('=');
      if (eq < 0) continue;
      String k = param.substring(0, eq).trim().toUpperCase(Locale.ROOT);
      String v = param.substring(eq + 1).trim();
      if (k.equals("TZID")) {
        zone = Times.zone(v, null);
        if (zone == null) throw GoogleErrors.invalid("Invalid recurrence rule.");
      } else if (k.equals("VALUE")) {
        if (v.equalsIgnoreCase("DATE")) dateOnly = true;
        else if (!v.equalsIgnoreCase("DATE-TIME")) throw GoogleErrors.invalid("Invalid recurrence rule.");
      }
    }
    List<DateValue> out = new ArrayList<>();
    try {
      for (String raw : rest.substring(colon + 1).split(",")) {
        String v = raw.trim().toUpperCase(Locale.ROOT);
        if (v.isEmpty()) continue;
        if (v.length() == 8) {
          out.add(new DateValue(null, null, null, LocalDate.parse(v, DateTimeFormatter.BASIC_ISO_DATE)));
        } else if (dateOnly) {
          throw new IllegalArgumentException(v);
        } else if (v.endsWith("Z")) {
          out.add(new DateValue(LocalDateTime.parse(v.substring(0, v.length() - 1), BASIC_DATE_TIME).toInstant(ZoneOffset.UTC),
            null, null, null));
        } else {
          out.add(new DateValue(null, LocalDateTime.parse(v, BASIC_DATE_TIME), zone, null));
        }
      }
    } catch (RuntimeException e) {
      throw GoogleErrors.invalid("Invalid recurrence rule.");
    }
    return out;
  }

  private static final DateTimeFormatter BASIC_DATE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss");

  private static Recurrence parseRule(String rule) {
    Freq freq = null;
    int interval = 1, count = 0;
    Until until = null;
    List<ByDay> byDay = new ArrayList<>();
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
              until = new Until(null, null, LocalDate.parse(v, DateTimeFormatter.BASIC_ISO_DATE));
            } else if (v.endsWith("Z")) {
              until = new Until(LocalDateTime.parse(v.substring(0, v.length() - 1), BASIC_DATE_TIME)
                .toInstant(ZoneOffset.UTC), null, null);
            } else {
              until = new Until(null, LocalDateTime.parse(v, BASIC_DATE_TIME), null);
            }
          }
          case "BYDAY" -> {
            for (String d : v.split(",")) {
              String num = d.replaceAll("[A-Z]+$", "");
              int ord = num.isEmpty() || num.equals("+") ? 0 : Integer.parseInt(num.startsWith("+") ? num.substring(1) : num);
              if (ord < -5 || ord > 5) throw new IllegalArgumentException(d);
              byDay.add(new ByDay(ord, day(d.substring(num.length()))));
            }
          }
          default -> { }
        }
      }
    } catch (RuntimeException e) {
      throw GoogleErrors.invalid("Invalid recurrence rule.");
    }
    if (freq == null || interval < 1 || count < 0) throw GoogleErrors.invalid("Invalid recurrence rule.");
    // YEARLY needs BYMONTH to make sense of BYDAY, which is not expanded: refused rather than expanded wrongly
    if (freq == Freq.YEARLY && !byDay.isEmpty()) throw GoogleErrors.invalid("Invalid recurrence rule.");
    return new Recurrence(freq, interval, count, until, List.copyOf(byDay));
  }

  private static DayOfWeek day(String d) {
    return switch (d) {
      case "MO" -> DayOfWeek.MONDAY; case "TU" -> DayOfWeek.TUESDAY; case "WE" -> DayOfWeek.WEDNESDAY;
      case "TH" -> DayOfWeek.THURSDAY; case "FR" -> DayOfWeek.FRIDAY; case "SA" -> DayOfWeek.SATURDAY;
      case "SU" -> DayOfWeek.SUNDAY; default -> throw new IllegalArgumentException(d);
    };
  }

  /**
   * Original start times of the series in order: the RRULE occurrences (starting with {@code start} itself) or just
   * {@code start} without an RRULE, minus EXDATEs, plus RDATEs.
   */
  List<ZonedDateTime> expand(ZonedDateTime start, long nowMs) {
    List<ZonedDateTime> base = freq == null ? new ArrayList<>(List.of(start)) : expandRule(start, nowMs);
    if (exdates.isEmpty() && rdates.isEmpty()) return base;
    long horizon = Math.max(start.toInstant().toEpochMilli(), nowMs) + HORIZON_MS;
    TreeMap<Instant, ZonedDateTime> all = new TreeMap<>();
    for (ZonedDateTime t : base) all.put(t.toInstant(), t);
    for (DateValue r : rdates) {
      ZonedDateTime t = r.resolve(start);
      if (t.toInstant().toEpochMilli() <= horizon) all.putIfAbsent(t.toInstant(), t);
    }
    List<ZonedDateTime> out = new ArrayList<>(all.size());
    for (ZonedDateTime t : all.values()) {
      boolean excluded = false;
      for (DateValue x : exdates) {
        if (x.excludes(t)) {
          excluded = true;
          break;
        }
      }
      if (!excluded) out.add(t);
      if (out.size() >= MAX_INSTANCES) break;
    }
    return out;
  }

  private List<ZonedDateTime> expandRule(ZonedDateTime start, long nowMs) {
    long horizon = Math.max(start.toInstant().toEpochMilli(), nowMs) + HORIZON_MS;
    long untilMs = until == null ? Long.MAX_VALUE : until.ms(start.getZone());
    List<ZonedDateTime> out = new ArrayList<>();
    int limit = count > 0 ? Math.min(count, MAX_INSTANCES) : MAX_INSTANCES;
    if (freq == Freq.WEEKLY && !byDay.isEmpty()) {
      EnumSet<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
      for (ByDay b : byDay) days.add(b.day());
      ZonedDateTime weekStart = start.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      for (int w = 0; out.size() < limit; w += interval) {
        ZonedDateTime week = weekStart.plusWeeks(w);
        if (week.toInstant().toEpochMilli() > horizon) break;
        for (DayOfWeek d : days) {
          ZonedDateTime t = week.with(TemporalAdjusters.nextOrSame(d));
          t = ZonedDateTime.of(t.toLocalDate(), start.toLocalTime(), start.getZone());
          if (t.isBefore(start)) continue;
          if (!accept(t, horizon, untilMs)) return out;
          out.add(t);
          if (out.size() >= limit) break;
        }
      }
      return out;
    }
    if (freq == Freq.MONTHLY && !byDay.isEmpty()) {
      LocalDate firstMonth = start.toLocalDate().withDayOfMonth(1);
      for (int m = 0; out.size() < limit; m += interval) {
        LocalDate month = firstMonth.plusMonths(m);
        if (month.atStartOfDay(start.getZone()).toInstant().toEpochMilli() > horizon) break;
        for (LocalDate d : monthDays(month)) {
          ZonedDateTime t = ZonedDateTime.of(d, start.toLocalTime(), start.getZone());
          if (t.isBefore(start)) continue;
          if (!accept(t, horizon, untilMs)) return out;
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
        case MONTHLY -> {
          t = start.plusMonths((long) i * interval);
          if (t.getDayOfMonth() != start.getDayOfMonth()) continue; // RFC 5545: invalid dates are skipped
        }
        default -> {
          t = start.plusYears((long) i * interval);
          if (t.getDayOfMonth() != start.getDayOfMonth()) continue; // Feb 29 only in leap years
        }
      }
      if (!accept(t, horizon, untilMs)) break;
      out.add(t);
    }
    return out;
  }

  /** The days of {@code month} (its first day) matching BYDAY, ascending and without repeats. */
  private List<LocalDate> monthDays(LocalDate month) {
    TreeSet<LocalDate> days = new TreeSet<>();
    for (ByDay b : byDay) {
      if (b.ordinal() == 0) {
        for (LocalDate d = month.with(TemporalAdjusters.firstInMonth(b.day())); d.getMonth() == month.getMonth(); d = d.plusWeeks(1)) {
          days.add(d);
        }
      } else {
        LocalDate d = month.with(TemporalAdjusters.dayOfWeekInMonth(b.ordinal(), b.day()));
        if (d.getMonth() == month.getMonth()) days.add(d); // a fifth weekday the month lacks is skipped
      }
    }
    return new ArrayList<>(days);
  }

  private static boolean accept(ZonedDateTime t, long horizon, long untilMs) {
    long ms = t.toInstant().toEpochMilli();
    return ms <= untilMs && ms <= horizon;
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
