package org.calsync.mirror;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeSet;
import org.dmfs.rfc5545.DateTime;
import org.dmfs.rfc5545.recur.InvalidRecurrenceRuleException;
import org.dmfs.rfc5545.recur.RecurrenceRule;
import org.dmfs.rfc5545.recurrenceset.FastForwarded;
import org.dmfs.rfc5545.recurrenceset.OfRuleAndFirst;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Google's busy semantics over mirror rows, as a pure function. A row blocks unless it is cancelled, transparent, or
 * declined by the calendar owner. Recurring masters (RRULE/RDATE/EXDATE lines, parsed by lib-recur) are expanded for
 * instances overlapping [from, until): timed series in the event's own start.timeZone (the calendar's zone when absent
 * or unknown), all-day series in the calendar's zone, at wall-clock times (so DST-correct); exceptions (rows whose
 * recurringEventId is the master and originalStart an instance start) replace that instance: cancelled ones remove it,
 * others block at their own times (only while their master is mirrored: deleting a series frees it). Busy time is
 * clipped to [from, until) and split into pieces of at most {@link #MAX_PIECE}.
 */
public final class BusyExpansion {
  private static final Logger log = LoggerFactory.getLogger(BusyExpansion.class);
  /** Longest stored block; overlap queries look back this far. */
  public static final Duration MAX_PIECE = Duration.ofDays(1);
  /** Safety bound on instances of one master inside the window. */
  static final int MAX_INSTANCES = 5000;
  private static final int MAX_ITERATIONS = 200_000;

  private BusyExpansion() {
  }

  /** One mirror row (calendar_events), only the fields busy time depends on; timeZone: the event's start.timeZone. */
  public record Source(String id, String status, String transparency, String selfResponse, OffsetDateTime start,
                       OffsetDateTime end, boolean allDay, String recurrence, String recurringEventId,
                       OffsetDateTime originalStart, String appointmentId, String timeZone) {
    boolean blocks() {
      return !"cancelled".equals(status) && !"transparent".equals(transparency) && !"declined".equals(selfResponse)
          && start != null && end != null;
    }

    boolean isMaster() {
      return recurrence != null && !recurrence.isBlank() && recurringEventId == null;
    }
  }

  /** A busy interval: rootId is the mirror row it is derived from (the master for instances and exceptions). */
  public record Block(String rootId, String eventId, Instant start, Instant end, String appointmentId) {
  }

  /** Busy blocks of the given rows within [from, until) (a master must come with its exceptions). */
  public static List<Block> expand(Collection<Source> rows, ZoneId calendarZone, Instant from, Instant until) {
    Map<String, Source> masters = new HashMap<>();
    Map<String, Set<Instant>> replaced = new HashMap<>();
    for (Source s : rows) {
      if (s.isMaster()) masters.put(s.id(), s);
      if (s.recurringEventId() != null && s.originalStart() != null) {
        replaced.computeIfAbsent(s.recurringEventId(), k -> new HashSet<>()).add(s.originalStart().toInstant());
      }
    }
    List<Block> out = new ArrayList<>();
    for (Source s : rows) {
      if (!s.blocks()) continue;
      if (s.isMaster()) {
        ZoneId zone = s.allDay() ? calendarZone : zone(s.timeZone(), calendarZone);
        Duration length = Duration.between(s.start(), s.end());
        long days = s.allDay() ? ChronoUnit.DAYS.between(s.start().atZoneSameInstant(zone).toLocalDate(),
            s.end().atZoneSameInstant(zone).toLocalDate()) : 0;
        Set<Instant> skip = replaced.getOrDefault(s.id(), Set.of());
        for (Instant start : instances(s, zone, from.minus(length), until)) {
          if (skip.contains(start)) continue;
          Instant end = s.allDay() ? start.atZone(zone).toLocalDate().plusDays(days).atStartOfDay(zone).toInstant()
              : start.plus(length);
          split(s.id(), s.id(), start, end, s.appointmentId(), from, until, out);
        }
      } else if (s.recurringEventId() != null && !masters.containsKey(s.recurringEventId())) {
        continue; // an exception of a series that is gone (deleted with its master) or not mirrored
      } else {
        String root = s.recurringEventId() != null ? s.recurringEventId() : s.id();
        split(root, s.id(), s.start().toInstant(), s.end().toInstant(), s.appointmentId(), from, until, out);
      }
    }
    return out;
  }

  /** Adds [start, end) clipped to [from, until), in pieces of at most MAX_PIECE. */
  private static void split(String root, String eventId, Instant start, Instant end, String appt, Instant from,
                            Instant until, List<Block> out) {
    Instant last = end.isAfter(until) ? until : end;
    Instant s = start.isBefore(from) ? from : start;
    while (s.isBefore(last)) {
      Instant e = s.plus(MAX_PIECE).isBefore(last) ? s.plus(MAX_PIECE) : last;
      out.add(new Block(root, eventId, s, e, appt));
      s = e;
    }
  }

  /** Instance starts of a master that begin before until and at or after notBefore (sorted, exclusions applied). */
  static List<Instant> instances(Source master, ZoneId zone, Instant notBefore, Instant until) {
    TimeZone tz = TimeZone.getTimeZone(zone);
    DateTime first = master.allDay() ? allDay(master.start().atZoneSameInstant(zone).toLocalDate())
        : new DateTime(tz, master.start().toInstant().toEpochMilli());
    TreeSet<Instant> starts = new TreeSet<>();
    Set<Instant> excluded = new HashSet<>();
    Set<LocalDate> excludedDays = new HashSet<>();
    boolean ruled = false;
    for (String raw : master.recurrence().split("\n")) {
      String line = raw.trim();
      if (line.isEmpty()) continue;
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
            rule(value, first, master.allDay(), zone, notBefore, until, starts);
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
      } catch (InvalidRecurrenceRuleException | IllegalArgumentException e) {
        log.warn("recurring event {}: ignoring unparsable line '{}': {}", master.id(), line, e.getMessage());
      }
    }
    if (!ruled) starts.add(master.start().toInstant());
    List<Instant> out = new ArrayList<>();
    for (Instant s : starts) {
      if (s.isBefore(notBefore) || !s.isBefore(until)) continue;
      if (excluded.contains(s) || excludedDays.contains(s.atZone(zone).toLocalDate())) continue;
      out.add(s);
      if (out.size() >= MAX_INSTANCES) break;
    }
    return out;
  }

  private static void rule(String value, DateTime first, boolean allDay, ZoneId zone, Instant notBefore, Instant until,
                           TreeSet<Instant> into) throws InvalidRecurrenceRuleException {
    RecurrenceRule rule = new RecurrenceRule(value, RecurrenceRule.RfcMode.RFC5545_LAX);
    DateTime skipTo = allDay ? allDay(notBefore.atZone(zone).toLocalDate().minusDays(1))
        : new DateTime(first.getTimeZone(), notBefore.toEpochMilli());
    int n = 0;
    for (DateTime dt : new FastForwarded(skipTo, new OfRuleAndFirst(rule, first))) {
      Instant s = toInstant(dt, zone);
      if (!s.isBefore(until) || ++n > MAX_ITERATIONS || into.size() > MAX_INSTANCES) break;
      into.add(s);
    }
  }

  /** The zone named by id, or fallback when id is absent or not a known zone. */
  static ZoneId zone(String id, ZoneId fallback) {
    if (id == null || id.isBlank()) return fallback;
    try {
      return ZoneId.of(id);
    } catch (DateTimeException e) {
      return fallback;
    }
  }

  private static DateTime allDay(LocalDate d) {
    return new DateTime(d.getYear(), d.getMonthValue() - 1, d.getDayOfMonth());
  }

  private static LocalDate localDate(DateTime d) {
    return LocalDate.of(d.getYear(), d.getMonth() + 1, d.getDayOfMonth());
  }

  /** All-day and floating values are midnight / wall-clock time in the given zone (the series' zone). */
  private static Instant toInstant(DateTime d, ZoneId zone) {
    if (d.isAllDay()) return localDate(d).atStartOfDay(zone).toInstant();
    if (d.isFloating()) {
      return java.time.LocalDateTime.of(d.getYear(), d.getMonth() + 1, d.getDayOfMonth(), d.getHours(), d.getMinutes(),
          d.getSeconds()).atZone(zone).toInstant();
    }
    return Instant.ofEpochMilli(d.getTimestamp());
  }
}
