package org.calsync.config;

import io.vertx.core.json.JsonObject;

/**
 * Section "booking".
 * <ul>
 *   <li>horizonDays: how far ahead recurring events are expanded into busy time (default 183, about 6 months)</li>
 *   <li>neutralTitle: the summary of the events calsync writes for appointments; never patient data (default "Busy")</li>
 *   <li>freshTimeoutMs: how long a conflict check with fresh=true waits for its sync before answering from the mirror
 *       with stale=true (default 5000)</li>
 *   <li>staleMinutes: a conflict check answers stale=true when a calendar's last sync is older (default 60)</li>
 *   <li>sweepSeconds: how often pending appointment writes are retried and the busy horizon renewed (default 30)</li>
 *   <li>maxRangeDays: longest range a conflict or availability request may ask about (default 92)</li>
 * </ul>
 */
public record BookingConfig(int horizonDays, String neutralTitle, long freshTimeoutMs, int staleMinutes, int sweepSeconds,
                            int maxRangeDays) {
  static BookingConfig fromJson(JsonObject root) {
    Json j = new Json(root, "booking");
    String title = j.string("neutralTitle", "Busy");
    if (title.isBlank() || title.length() > 200) {
      throw new ConfigException(j.key("neutralTitle"), "must be 1..200 characters", "use a neutral word such as \"Busy\"");
    }
    return new BookingConfig(
        (int) j.integer("horizonDays", 183, 1, 3660),
        title,
        j.integer("freshTimeoutMs", 5000, 100, 120_000),
        (int) j.integer("staleMinutes", 60, 1, 7 * 24 * 60),
        (int) j.integer("sweepSeconds", 30, 1, 3600),
        (int) j.integer("maxRangeDays", 92, 1, 3660));
  }
}
