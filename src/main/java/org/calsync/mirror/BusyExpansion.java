package org.calsync.mirror;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
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
import org.dmfs.rfc5545.DateTime;
import org.dmfs.rfc5545.recur.InvalidRecurrenceRuleException;
import org.dmfs.rfc5545.recur.RecurrenceRule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Google's busy semantics over mirror rows, as a pure function. A row blocks unless it is cancelled, transparent, or
 * declined by the calendar owner. Recurring masters (RRULE/RDATE/EXDATE lines, parsed by lib-recur) are expanded for
 * instances overlapping [from, until): timed series in the event's own start.timeZone (the calendar's zone when absent
 * or unknown), all-day series in the calendar's zone, at wall-clock times (so DST-correct); exceptions (rows whose
 * recurringEventId is the master and originalStart an instance start) replace that instance: cancelled ones remove it,
 * others block at their own times (only while their master is mirrored: deleting a series frees it). Overlapping or
 * touching instances of one master become one block. Busy time is clipped to [from, until) and split into pieces of at
 * most {@link #MAX_PIECE}. The cost is bounded by the window, not the series' age ({@link SeriesInstances}); a master
 * that still exceeds the caps is quarantined: reported, and busy over its whole span instead of dropped.
 */
public final class BusyExpansion {
  private static final Logger log = LoggerFactory.getLogger(BusyExpansion.class);
  /** Longest stored block; overlap queries look back this far. */
  public static final Duration MAX_PIECE = Duration.ofDays(1);
  /** Stored blocks of one master (its instances merged) beyond which it is quarantined. */
  static final int MAX_ROWS = 10_000;

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

  /**
   * A master that could not be expanded within the caps ({@link SeriesInstances}, {@link #MAX_ROWS}): it blocks its
   * whole span, from its start to its rule's UNTIL plus one instance's length (open: spanEnd null), clipped.
   */
  public record Quarantined(String rootId, String reason, Instant spanStart, Instant spanEnd) {
  }

  /** Busy blocks, and the masters among the rows that were quarantined. */
  public record Expansion(List<Block> blocks, List<Quarantined> quarantined) {
  }

  /** Busy blocks of the given rows within [from, until) (a master must come with its exceptions). */
  public static Expansion expand(Collection<Source> rows, ZoneId calendarZone, Instant from, Instant until) {
    Map<String, Source> masters = new HashMap<>();
    Map<String, Set<Instant>> replaced = new HashMap<>();
    for (Source s : rows) {
      if (s.isMaster()) masters.put(s.id(), s);
      if (s.recurringEventId() != null && s.originalStart() != null) {
        replaced.computeIfAbsent(s.recurringEventId(), k -> new HashSet<>()).add(s.originalStart().toInstant());
      }
    }
    List<Block> out = new ArrayList<>();
    List<Quarantined> quarantined = new ArrayList<>();
    for (Source s : rows) {
      if (!s.blocks()) continue;
      if (s.isMaster()) {
        master(s, calendarZone, replaced.getOrDefault(s.id(), Set.of()), from, until, out, quarantined);
      } else if (s.recurringEventId() != null && !masters.containsKey(s.recurringEventId())) {
        continue; // an exception of a series that is gone (deleted with its master) or not mirrored
      } else {
        String root = s.recurringEventId() != null ? s.recurringEventId() : s.id();
        split(root, s.id(), s.start().toInstant(), s.end().toInstant(), s.appointmentId(), from, until, out);
      }
    }
    return new Expansion(out, quarantined);
  }

  /** The instances of a master, less the replaced ones, overlapping ones merged into one block; or its quarantine. */
  private static void master(Source s, ZoneId calendarZone, Set<Instant> skip, Instant from, Instant until,
                             List<Block> out, List<Quarantined> quarantined) {
    ZoneId zone = s.allDay() ? calendarZone : zone(s.timeZone(), calendarZone);
    Duration length = Duration.between(s.start(), s.end());
    long days = s.allDay() ? ChronoUnit.DAYS.between(s.start().atZoneSameInstant(zone).toLocalDate(),
        s.end().atZoneSameInstant(zone).toLocalDate()) : 0;
    SeriesInstances.Result instances = SeriesInstances.of(s, zone, from.minus(length), until);
    String reason = instances.overflow();
    List<Block> mine = new ArrayList<>();
    if (reason == null) {
      Instant runStart = null;
      Instant runEnd = null;
      for (Instant start : instances.starts()) {
        if (skip.contains(start)) continue;
        Instant end = s.allDay() ? start.atZone(zone).toLocalDate().plusDays(days).atStartOfDay(zone).toInstant()
            : start.plus(length);
        if (runEnd != null && !start.isAfter(runEnd)) {
          if (end.isAfter(runEnd)) runEnd = end;
          continue;
        }
        if (runEnd != null) split(s.id(), s.id(), runStart, runEnd, s.appointmentId(), from, until, mine);
        if (mine.size() > MAX_ROWS) break;
        runStart = start;
        runEnd = end;
      }
      if (runEnd != null) split(s.id(), s.id(), runStart, runEnd, s.appointmentId(), from, until, mine);
      if (mine.size() > MAX_ROWS) reason = "more than " + MAX_ROWS + " busy rows";
    }
    if (reason != null) {
      Instant spanEnd = seriesEnd(s, zone, length);
      log.warn("recurring event {} quarantined, busy over its whole span: {}", s.id(), reason);
      quarantined.add(new Quarantined(s.id(), reason, s.start().toInstant(), spanEnd));
      mine.clear();
      split(s.id(), s.id(), s.start().toInstant(), spanEnd == null ? until : spanEnd, s.appointmentId(), from, until, mine);
    }
    out.addAll(mine);
  }

  /** The latest UNTIL of the master's rules plus one instance's length; null when a rule has none or RDATEs exist. */
  private static Instant seriesEnd(Source s, ZoneId zone, Duration length) {
    Instant last = null;
    for (String raw : s.recurrence().split("\n")) {
      String line = raw.trim().toUpperCase(Locale.ROOT);
      if (line.startsWith("RDATE")) return null;
      if (!line.startsWith("RRULE:")) continue;
      try {
        DateTime until = new RecurrenceRule(raw.trim().substring(6), RecurrenceRule.RfcMode.RFC5545_LAX).getUntil();
        if (until == null) return null;
        Instant end = SeriesInstances.toInstant(until, zone).plus(length);
        if (last == null || end.isAfter(last)) last = end;
      } catch (InvalidRecurrenceRuleException | RuntimeException e) {
        return null;
      }
    }
    return last;
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

  /** The zone named by id, or fallback when id is absent or not a known zone. */
  static ZoneId zone(String id, ZoneId fallback) {
    if (id == null || id.isBlank()) return fallback;
    try {
      return ZoneId.of(id);
    } catch (DateTimeException e) {
      return fallback;
    }
  }
}
