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
 *   <li>appointmentRetentionDays: appointments are deleted this long after they ended, once written to Google
 *       (default 90; at least 8: conflict checks and the EMR-wins check look 7 days back)</li>
 *   <li>conflictReportRetentionDays: conflict reports are deleted this long after their appointment started
 *       (default 90; at least 8, so a conflict still checked is never reported twice)</li>
 *   <li>mirrorRetentionDays: cancelled recurring exceptions and busy blocks are deleted this long after they ended
 *       (default 30; at least 8: busy time of the last 7 days answers conflict checks)</li>
 *   <li>tokenHealthDay / tokenHealthAt: weekly token check (default SUNDAY 01:00)</li>
 * </ul>
 */
public record SchedulerConfig(boolean enabled, ZoneId zone, LocalTime cleanupAt, int failedJobRetentionDays,
                              DayOfWeek tokenHealthDay, LocalTime tokenHealthAt, int appointmentRetentionDays,
                              int conflictReportRetentionDays, int mirrorRetentionDays) {
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
        (int) j.integer("failedJobRetentionDays", 30, 1, 3650), dow, time(j, "tokenHealthAt", "01:00"),
        (int) j.integer("appointmentRetentionDays", 90, 8, 36500), (int) j.integer("conflictReportRetentionDays", 90, 8, 36500),
        (int) j.integer("mirrorRetentionDays", 30, 8, 36500));
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
