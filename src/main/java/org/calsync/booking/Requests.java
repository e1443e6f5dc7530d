package org.calsync.booking;

import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.calsync.bus.FailureCode;
import org.calsync.bus.Messages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validation of booking request bodies on top of {@link Messages}: every method returns null after replying
 * BAD_REQUEST (or logging, for a send without reply address), so a malformed message changes nothing.
 */
final class Requests {
  private static final Logger log = LoggerFactory.getLogger(Requests.class);
  static final int MAX_APPOINTMENT_ID = 256;

  private Requests() {
  }

  /** Who a request is about: exactly one of the two is set. */
  record Who(Long integrationId, Long userId) {
  }

  record Range(Instant start, Instant end) {
  }

  static Who who(Message<?> msg, JsonObject body) {
    if (body.getValue("integrationId") != null) {
      Long id = Messages.requireLong(msg, body, "integrationId");
      return id == null ? null : new Who(id, null);
    }
    if (body.getValue("userId") != null) {
      Long id = Messages.requireLong(msg, body, "userId");
      return id == null ? null : new Who(null, id);
    }
    return bad(msg, "one of 'integrationId' or 'userId' is required");
  }

  /** start and end (RFC 3339 with offset), end after start, at most maxDays apart. */
  static Range range(Message<?> msg, JsonObject body, int maxDays) {
    Instant start = time(msg, body, "start");
    if (start == null) return null;
    Instant end = time(msg, body, "end");
    if (end == null) return null;
    if (!end.isAfter(start)) return bad(msg, "'end' must be after 'start'");
    if (Duration.between(start, end).compareTo(Duration.ofDays(maxDays)) > 0) {
      return bad(msg, "range is longer than booking.maxRangeDays (" + maxDays + " days)");
    }
    return new Range(start, end);
  }

  /** Accepted request times: years 1900 to 9999, well inside what the database stores. */
  static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
  static final Instant LATEST = Instant.parse("+10000-01-01T00:00:00Z");

  /** An RFC 3339 date-time with offset between {@link #EARLIEST} and {@link #LATEST}. */
  static Instant time(Message<?> msg, JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v instanceof String s) {
      try {
        Instant t = OffsetDateTime.parse(s).toInstant();
        if (!t.isBefore(EARLIEST) && t.isBefore(LATEST)) return t;
        return bad(msg, "field '" + field + "' must be between years 1900 and 9999, got '" + v + "'");
      } catch (DateTimeException e) {
        // fall through
      }
    }
    return bad(msg, "field '" + field + "' must be an RFC 3339 date-time with offset (e.g. 2026-03-02T09:00:00-05:00), got "
        + (v == null ? "nothing" : "'" + v + "'"));
  }

  /** The appointment id: a non-blank string of at most 256 characters. required=false allows absence (returns ""). */
  static String appointmentId(Message<?> msg, JsonObject body, boolean required) {
    Object v = body.getValue("appointmentId");
    if (v == null && !required) return "";
    if (v instanceof String s && !s.isBlank() && s.length() <= MAX_APPOINTMENT_ID) return s;
    return bad(msg, "field 'appointmentId' must be a non-blank string of at most " + MAX_APPOINTMENT_ID + " characters");
  }

  /** fresh: optional boolean. Returns null after replying BAD_REQUEST. */
  static Boolean flag(Message<?> msg, JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) return false;
    if (v instanceof Boolean b) return b;
    return bad(msg, "field '" + field + "' must be true or false");
  }

  static <T> T bad(Message<?> msg, String why) {
    if (msg.replyAddress() != null) msg.fail(FailureCode.BAD_REQUEST, why);
    else log.warn("dropped malformed message on {}: {}", msg.address(), why);
    return null;
  }
}
