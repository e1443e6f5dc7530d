package org.calsync.mirror;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeSet;
import org.calsync.mirror.BusyExpansion.Source;
import org.dmfs.rfc5545.DateTime;
import org.dmfs.rfc5545.recur.InvalidRecurrenceRuleException;
import org.dmfs.rfc5545.recur.RecurrenceRule;
import org.dmfs.rfc5545.recur.RecurrenceRule.Part;
import org.dmfs.rfc5545.recur.RecurrenceRuleIterator;
import org.dmfs.rfc5545.recurrenceset.FastForwarded;
import org.dmfs.rfc5545.recurrenceset.OfRuleAndFirst;

/**
 * Instance starts of a recurring master within a window, at a cost bounded by the window rather than the series' age.
 * The RRULE/RDATE/EXDATE lines are read with lib-recur. Before iterating, a rule of FREQ SECONDLY..WEEKLY is moved
 * forward arithmetically to just before the window: its start moves by whole periods of local wall-clock time (whole
 * weeks times INTERVAL when it has BY* parts, so the parts derived from the start stay the same) and COUNT shrinks by
 * the instances skipped (only without BY* parts, where that number is exact). What remains is iterated by lib-recur
 * with at most {@link #MAX_ITERATIONS} instances per rule and {@link #MAX_INSTANCES} inside the window; a series that
 * needs more, or whose rule lib-recur cannot expand, comes back with {@link Result#overflow} set.
 */
final class SeriesInstances {
  /** Instances of one master inside the window beyond which it is quarantined. */
  static final int MAX_INSTANCES = 50_000;
  /** Instances lib-recur may produce for one rule (before and inside the window) beyond which it is quarantined. */
  static final int MAX_ITERATIONS = 250_000;
  /** Longer than any UTC offset change (DST, or a zone skipping a day), so a moved start stays before the window. */
  private static final long MARGIN_SECONDS = 26 * 3600;
  private static final long WEEK_SECONDS = 7 * 86400;

  /**
   * starts: sorted, exclusions applied; overflow: why the series could not be expanded within the caps (else null);
   * iterated: how many instances lib-recur produced on the way (the cost).
   */
  record Result(List<Instant> starts, String overflow, long iterated) {
  }

  private SeriesInstances() {
  }

  /** Instance starts of the master that begin in [notBefore, until). */
  static Result of(Source master, ZoneId zone, Instant notBefore, Instant until) {
    TimeZone tz = TimeZone.getTimeZone(zone);
    DateTime first = master.allDay() ? allDay(master.start().atZoneSameInstant(zone).toLocalDate())
        : new DateTime(tz, master.start().toInstant().toEpochMilli());
    TreeSet<Instant> starts = new TreeSet<>();
    Set<Instant> excluded = new HashSet<>();
    Set<LocalDate> excludedDays = new HashSet<>();
    boolean ruled = false;
    long[] iterated = {0};
    for (String raw : master.recurrence().split("\n")) {
      String line = raw.trim();
      int colon = line.indexOf(':');
      if (colon < 0) continue;
      String[] head = line.substring(0, colon).split(";");
      String name = head[0].toUpperCase(Locale.ROOT);
      String value = line.substring(colon + 1);
      TimeZone valueZone = tz;
      for (int i = 1; i < head.length; i++) {
        if (head[i].toUpperCase(Locale.ROOT).startsWith("TZID=")) valueZone = TimeZone.getTimeZone(head[i].substring(5));
      }
      try {
        switch (name) {
          case "RRULE" -> {
            ruled = true;
            String overflow = rule(new RecurrenceRule(value, RecurrenceRule.RfcMode.RFC5545_LAX), first, master.allDay(),
                zone, notBefore, until, starts, iterated);
            if (overflow != null) return new Result(List.of(), overflow, iterated[0]);
          }
          case "RDATE" -> {
            for (String v : value.split(",")) starts.add(toInstant(DateTime.parse(valueZone, v.split("/")[0]), zone));
          }
          case "EXDATE" -> {
            for (String v : value.split(",")) {
              DateTime d = DateTime.parse(valueZone, v);
              if (d.isAllDay() && !master.allDay()) excludedDays.add(localDate(d));
              else excluded.add(toInstant(d, zone));
            }
          }
          default -> { /* EXRULE and others: Google does not use them */ }
        }
      } catch (InvalidRecurrenceRuleException | RuntimeException e) {
        return new Result(List.of(), "cannot expand '" + line + "': " + e.getMessage(), iterated[0]);
      }
    }
    if (!ruled) starts.add(master.start().toInstant());
    List<Instant> out = new ArrayList<>();
    for (Instant s : starts) {
      if (s.isBefore(notBefore) || !s.isBefore(until)) continue;
      if (excluded.contains(s) || excludedDays.contains(s.atZone(zone).toLocalDate())) continue;
      out.add(s);
    }
    if (out.size() > MAX_INSTANCES) {
      return new Result(List.of(), "more than " + MAX_INSTANCES + " instances in the window", iterated[0]);
    }
    return new Result(out, null, iterated[0]);
  }

  /** Adds the rule's starts in [notBefore, until) to into; returns why it overflowed, or null. */
  private static String rule(RecurrenceRule rule, DateTime first, boolean allDay, ZoneId zone, Instant notBefore,
                             Instant until, TreeSet<Instant> into, long[] iterated) {
    Iterator<DateTime> it;
    if (allDay && rule.getFreq().compareTo(org.dmfs.rfc5545.recur.Freq.DAILY) > 0) {
      return "a rule more frequent than daily on an all-day event";
    }
    long step = periodSeconds(rule, allDay);
    Integer count = rule.getCount();
    boolean exact = !hasByParts(rule);
    if (step > 0 && (count == null || exact)) {
      LocalDateTime start = local(first);
      LocalDateTime target = LocalDateTime.ofInstant(notBefore, zone).minusSeconds(MARGIN_SECONDS);
      long periods = Math.max(0, ChronoUnit.SECONDS.between(start, target) / step);
      if (periods > 0) {
        if (count != null) {
          if (periods >= count) return null; // the series ended before the window
          rule.setCount((int) (count - periods));
        }
        LocalDateTime moved = start.plusSeconds(periods * step);
        DateTime from = allDay ? allDay(moved.toLocalDate()) : new DateTime(first.getTimeZone(), moved.getYear(),
            moved.getMonthValue() - 1, moved.getDayOfMonth(), moved.getHour(), moved.getMinute(), moved.getSecond());
        it = iterator(rule.iterator(from));
      } else {
        it = new OfRuleAndFirst(rule, first).iterator();
      }
    } else if (count == null) {
      // lib-recur fast-forwards MONTHLY and YEARLY rules period by period (a few per year) without expanding them
      DateTime skipTo = allDay ? allDay(notBefore.atZone(zone).toLocalDate().minusDays(1))
          : new DateTime(first.getTimeZone(), notBefore.toEpochMilli());
      it = new FastForwarded(skipTo, new OfRuleAndFirst(rule, first)).iterator();
    } else {
      it = new OfRuleAndFirst(rule, first).iterator(); // COUNT with BY* parts: counted from the start, within the caps
    }
    int n = 0;
    int inside = 0;
    while (it.hasNext()) {
      Instant s = toInstant(it.next(), zone);
      iterated[0]++;
      if (!s.isBefore(until)) return null;
      if (++n > MAX_ITERATIONS) return "more than " + MAX_ITERATIONS + " instances to reach the window";
      if (s.isBefore(notBefore)) continue;
      if (++inside > MAX_INSTANCES) return "more than " + MAX_INSTANCES + " instances in the window";
      into.add(s);
    }
    return null;
  }

  /**
   * Local wall-clock seconds by which the rule's start can move without changing its instances after the move: one
   * period (FREQ x INTERVAL) without BY* parts, else a whole number of weeks that is also a whole number of periods;
   * 0 when the rule cannot be moved so (MONTHLY, YEARLY, sub-daily all-day rules).
   */
  static long periodSeconds(RecurrenceRule rule, boolean allDay) {
    long unit = switch (rule.getFreq()) {
      case SECONDLY -> 1;
      case MINUTELY -> 60;
      case HOURLY -> 3600;
      case DAILY -> 86400;
      case WEEKLY -> WEEK_SECONDS;
      default -> 0;
    };
    if (unit == 0 || allDay && unit < 86400) return 0;
    long period = unit * rule.getInterval();
    if (!hasByParts(rule)) return period;
    long gcd = gcd(period, WEEK_SECONDS);
    return period / gcd * WEEK_SECONDS;
  }

  static boolean hasByParts(RecurrenceRule rule) {
    for (Part p : Part.values()) {
      if (p != Part.FREQ && p != Part.INTERVAL && p != Part.WKST && p != Part.UNTIL && p != Part.COUNT && rule.hasPart(p)) {
        return true;
      }
    }
    return false;
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  private static Iterator<DateTime> iterator(RecurrenceRuleIterator rules) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rules.hasNext();
      }

      @Override
      public DateTime next() {
        return rules.nextDateTime();
      }
    };
  }

  private static LocalDateTime local(DateTime d) {
    if (d.isAllDay()) return localDate(d).atStartOfDay();
    return LocalDateTime.of(d.getYear(), d.getMonth() + 1, d.getDayOfMonth(), d.getHours(), d.getMinutes(), d.getSeconds());
  }

  static DateTime allDay(LocalDate d) {
    return new DateTime(d.getYear(), d.getMonthValue() - 1, d.getDayOfMonth());
  }

  static LocalDate localDate(DateTime d) {
    return LocalDate.of(d.getYear(), d.getMonth() + 1, d.getDayOfMonth());
  }

  /** All-day and floating values are midnight / wall-clock time in the given zone (the series' zone). */
  static Instant toInstant(DateTime d, ZoneId zone) {
    if (d.isAllDay()) return localDate(d).atStartOfDay(zone).toInstant();
    if (d.isFloating()) {
      return LocalDateTime.of(d.getYear(), d.getMonth() + 1, d.getDayOfMonth(), d.getHours(), d.getMinutes(),
          d.getSeconds()).atZone(zone).toInstant();
    }
    return Instant.ofEpochMilli(d.getTimestamp());
  }
}
