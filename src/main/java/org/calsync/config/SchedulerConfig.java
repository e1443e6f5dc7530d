package org.calsync.config;

import io.vertx.core.json.JsonObject;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * Section "scheduler".
 * <ul>
 *   <li>enabled: run the scheduler in this process (default true; one process holds the leader lock)</li>
 *   <li>zone: time zone of the daily/weekly tasks (default system zone)</li>
 *   <li>cleanupAt: daily cleanup of old failed jobs, HH:mm (default 02:00)</li>
 *   <li>failedJobRetentionDays: failed jobs kept this long (default 30)</li>
 *   <li>tokenHealthDay / tokenHealthAt: weekly token check (default SUNDAY 01:00)</li>
 * </ul>
 */
public record SchedulerConfig(boolean enabled, ZoneId zone, LocalTime cleanupAt, int failedJobRetentionDays,
                              DayOfWeek tokenHealthDay, LocalTime tokenHealthAt) {
  static SchedulerConfig fromJson(JsonObject root) {
    Json j = new Json(root, "scheduler");
    ZoneId zone;
    String z = j.string("zone", ZoneId.systemDefault().getId());
    try {
      zone = ZoneId.of(z);
    } catch (RuntimeException e) {
      throw new ConfigException(j.key("zone"), "is not a time zone: '" + z + "'", "use an IANA name such as America/Toronto");
    }
    String day = j.string("tokenHealthDay", "SUNDAY");
    DayOfWeek dow;
    try {
      dow = DayOfWeek.valueOf(day.trim().toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(j.key("tokenHealthDay"), "is not a day: '" + day + "'", "use MONDAY..SUNDAY");
    }
    return new SchedulerConfig(j.bool("enabled", true), zone, time(j, "cleanupAt", "02:00"),
        (int) j.integer("failedJobRetentionDays", 30, 1, 3650), dow, time(j, "tokenHealthAt", "01:00"));
  }

  private static LocalTime time(Json j, String name, String def) {
    String v = j.string(name, def);
    try {
      return LocalTime.parse(v.trim());
    } catch (DateTimeParseException e) {
      throw new ConfigException(j.key(name), "is not a time of day: '" + v + "'", "use HH:mm, e.g. " + def);
    }
  }
}
