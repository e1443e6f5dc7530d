package org.calsync.cli;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Times as people read them in tables: local "yyyy-MM-dd HH:mm:ss", and ages as "3 h 5 min". */
final class Times {
  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private Times() {
  }

  /** An ISO-8601 time in the machine's zone; null stays null (printed "-"), text that is not a time is kept. */
  static String local(String iso) {
    if (iso == null || iso.equals("null")) return null;
    try {
      return OffsetDateTime.parse(iso).atZoneSameInstant(ZoneId.systemDefault()).format(LOCAL);
    } catch (DateTimeParseException e) {
      return iso;
    }
  }

  /** A duration in seconds, rounded for reading: "42 s", "7 min", "3 h 5 min", "2 d 4 h". */
  static String age(double seconds) {
    Duration d = Duration.ofSeconds((long) seconds);
    if (d.toMinutes() < 1) return d.toSeconds() + " s";
    if (d.toHours() < 1) return d.toMinutes() + " min";
    if (d.toDays() < 1) return d.toHours() + " h " + d.toMinutesPart() + " min";
    return d.toDays() + " d " + d.toHoursPart() + " h";
  }
}
