package org.calsync.booking;

import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.calsync.bus.Addresses;
import org.calsync.bus.BusFailure;
import org.calsync.bus.Messages;

/**
 * The request bodies of the booking addresses as records, parsed in one place: each parse throws {@link BusFailure}
 * BAD_REQUEST naming the field, so a malformed message changes nothing.
 */
final class Requests {
  static final int MAX_APPOINTMENT_ID = 256;
  /** Accepted request times: years 1900 to 9999, well inside what the database stores. */
  static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
  static final Instant LATEST = Instant.parse("+10000-01-01T00:00:00Z");

  private Requests() {
  }

  /** Who a request is about: exactly one of the two is set (a request naming both is refused). */
  record Who(Long integrationId, Long userId) {
    /** The NOT_FOUND answer for a request naming this. */
    BusFailure notFound() {
      return BusFailure.notFound(integrationId != null ? "integration " + integrationId + " does not exist"
          : "user " + userId + " has no connected integration");
    }
  }

  record Range(Instant start, Instant end) {
  }

  /** {@link Addresses#BOOKING_CONFLICTS}; excludeAppointment null when absent. */
  record ConflictQuery(Who who, Range range, String excludeAppointment, boolean fresh) {
    static ConflictQuery parse(JsonObject body, int maxDays) {
      Who who = Requests.who(body);
      Range range = Requests.range(body, maxDays);
      String exclude = body.getValue("appointmentId") == null ? null : Requests.appointmentId(body);
      return new ConflictQuery(who, range, exclude, Messages.flag(body, "fresh"));
    }
  }

  /** {@link Addresses#BOOKING_AVAILABILITY}. */
  record AvailabilityQuery(Who who, Range range, boolean fresh) {
    static AvailabilityQuery parse(JsonObject body, int maxDays) {
      return new AvailabilityQuery(Requests.who(body), Requests.range(body, maxDays), Messages.flag(body, "fresh"));
    }
  }

  /** {@link Addresses#APPOINTMENT_BOOKED} and {@link Addresses#APPOINTMENT_RESCHEDULED}. */
  record Booking(String appointmentId, Who who, Range range) {
    static Booking parse(JsonObject body, int maxDays) {
      String id = Requests.appointmentId(body);
      return new Booking(id, Requests.who(body), Requests.range(body, maxDays));
    }
  }

  /** {@link Addresses#APPOINTMENT_CANCELLED}. */
  record Cancellation(String appointmentId) {
    static Cancellation parse(JsonObject body) {
      return new Cancellation(Requests.appointmentId(body));
    }
  }

  static Who who(JsonObject body) {
    boolean integration = body.getValue("integrationId") != null;
    boolean user = body.getValue("userId") != null;
    if (integration && user) throw BusFailure.badRequest("field 'userId' cannot be given with 'integrationId'; name one of them");
    if (integration) return new Who(Messages.requireLong(body, "integrationId"), null);
    if (user) return new Who(null, Messages.requireLong(body, "userId"));
    throw BusFailure.badRequest("field 'integrationId' or 'userId' is required (the practitioner's integration, or the user)");
  }

  /** start and end (RFC 3339 with offset), end after start, at most maxDays apart. */
  static Range range(JsonObject body, int maxDays) {
    Instant start = time(body, "start");
    Instant end = time(body, "end");
    if (!end.isAfter(start)) throw BusFailure.badRequest("field 'end' must be after 'start'");
    if (Duration.between(start, end).compareTo(Duration.ofDays(maxDays)) > 0) {
      throw BusFailure.badRequest("field 'end' is more than booking.maxRangeDays (" + maxDays + " days) after 'start'; "
          + "ask a shorter range");
    }
    return new Range(start, end);
  }

  /** An RFC 3339 date-time with offset between {@link #EARLIEST} and {@link #LATEST}. */
  static Instant time(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v instanceof String s) {
      Instant t;
      try {
        t = OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeException e) {
        t = null;
      }
      if (t != null && !t.isBefore(EARLIEST) && t.isBefore(LATEST)) return t;
      if (t != null) throw BusFailure.badRequest("field '" + field + "' must be between years 1900 and 9999, got '" + v + "'");
    }
    throw BusFailure.badRequest("field '" + field + "' must be an RFC 3339 date-time with offset (e.g. "
        + "2026-03-02T09:00:00-05:00), got " + (v == null ? "nothing" : "'" + v + "'"));
  }

  /** The appointment id: a non-blank string of at most 256 characters, without control characters. */
  static String appointmentId(JsonObject body) {
    if (body.getValue("appointmentId") instanceof String s && !s.isBlank() && s.length() <= MAX_APPOINTMENT_ID
        && s.chars().noneMatch(Character::isISOControl)) return s;
    throw BusFailure.badRequest("field 'appointmentId' must be a non-blank string of at most " + MAX_APPOINTMENT_ID
        + " characters, without control characters");
  }
}
