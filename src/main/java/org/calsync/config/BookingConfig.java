package org.calsync.config;

import io.vertx.core.json.JsonObject;

/**
 * Section "booking".
 * <ul>
 *   <li>horizonDays: how far ahead busy time is stored expanded (busy_blocks; default 183, about 6 months); checks
 *       further ahead are expanded from the mirror on demand</li>
 *   <li>neutralTitle: the summary of the events calsync writes for appointments; never patient data (default "Busy")</li>
 *   <li>freshTimeoutMs: how long a conflict check with fresh=true waits for its sync before answering from the mirror
 *       with stale=true (default 5000)</li>
 *   <li>staleMinutes: a conflict check answers stale=true when a calendar's last sync is older (default 60)</li>
 *   <li>sweepSeconds: how often pending appointment writes are retried and the busy horizon renewed (default 30)</li>
 *   <li>maxRangeDays: longest range a conflict or availability request may ask about (default 92)</li>
 *   <li>maxAheadDays: how far ahead of now a conflict or availability request may reach (default 1096, about 3
 *       years, or horizonDays when larger; at least horizonDays); ranges past horizonDays are expanded from the mirror on demand, ranges past maxAheadDays are refused
 *       with FailureCode.OUT_OF_RANGE</li>
 *   <li>writeLeaseSeconds: how long one process holds an appointment for writing it to Google (default 60); renewed
 *       every third of it while a Google call is in flight. A holder that cannot renew in time (paused, cut off from
 *       the database) loses the appointment to the next writer.</li>
 * </ul>
 */
public record BookingConfig(int horizonDays, String neutralTitle, long freshTimeoutMs, int staleMinutes, int sweepSeconds,
                            int maxRangeDays, int maxAheadDays, int writeLeaseSeconds) {
  static BookingConfig fromJson(JsonObject root) {
    Json j = new Json(root, "booking");
    String title = j.string("neutralTitle", "Busy");
    if (title.isBlank() || title.length() > 200) {
      throw new ConfigException(j.key("neutralTitle"), "must be 1..200 characters", "use a neutral word such as \"Busy\"");
    }
    int horizon = (int) j.integer("horizonDays", 183, 1, 3660);
    int maxAhead = (int) j.integer("maxAheadDays", Math.max(1096, horizon), 1, 3660);
    if (maxAhead < horizon) {
      throw new ConfigException(j.key("maxAheadDays"), "is below booking.horizonDays (" + horizon + ")",
          "set it to at least horizonDays, or leave it out");
    }
    return new BookingConfig(
        horizon,
        title,
        j.integer("freshTimeoutMs", 5000, 100, 120_000),
        (int) j.integer("staleMinutes", 60, 1, 7 * 24 * 60),
        (int) j.integer("sweepSeconds", 30, 1, 3600),
        (int) j.integer("maxRangeDays", 92, 1, 3660),
        maxAhead,
        (int) j.integer("writeLeaseSeconds", 60, 2, 3600));
  }
}
