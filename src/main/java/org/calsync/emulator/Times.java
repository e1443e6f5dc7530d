package org.calsync.emulator;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** RFC3339 helpers with Google's conventions (millis + 'Z' for server timestamps). */
final class Times {
  private Times() {}

  static final DateTimeFormatter RFC3339_MILLIS =
    DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  static final DateTimeFormatter INSTANCE_SUFFIX =
    DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  static final DateTimeFormatter DATE_SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd");

  static String millis(long epochMs) {
    return RFC3339_MILLIS.format(Instant.ofEpochMilli(epochMs));
  }

  /** Parses an RFC3339 timestamp with mandatory offset; null when malformed. */
  static Long parseInstant(String s) {
    if (s == null) return null;
    try {
      return OffsetDateTime.parse(s).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  static ZoneId zone(String id, ZoneId fallback) {
    if (id == null) return fallback;
    try {
      return ZoneId.of(id);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Epoch millis of an EventDateTime ({dateTime[, timeZone]} or {date}); all-day dates start at midnight in
   * {@code zone}. Returns null when absent or malformed.
   */
  static Long eventTime(JsonObject t, ZoneId calendarZone) {
    if (t == null) return null;
    Object dt = t.getValue("dateTime");
    Object date = t.getValue("date");
    try {
      if (dt instanceof String s) {
        try {
          return OffsetDateTime.parse(s).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
          ZoneId z = zone(t.getString("timeZone"), calendarZone);
          if (z == null) return null;
          return LocalDateTime.parse(s).atZone(z).toInstant().toEpochMilli();
        }
      }
      if (date instanceof String s) {
        return LocalDate.parse(s).atStartOfDay(calendarZone).toInstant().toEpochMilli();
      }
    } catch (RuntimeException e) {
      return null;
    }
    return null;
  }

  static boolean isAllDay(JsonObject t) {
    return t != null && t.getValue("date") instanceof String && t.getValue("dateTime") == null;
  }
}
