package org.calsync.sync;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.calsync.google.Rfc3339;
import org.calsync.mirror.Mirror.EventRow;

/**
 * Turns a Google event resource into a mirror row. All-day dates are placed in the calendar's time zone; the event's
 * own start.timeZone is kept as sent (the zone its recurrence is defined in). Throws
 * {@link IllegalArgumentException} naming the event and field when the resource is malformed.
 */
public final class EventMapper {
  /** Private extended property that marks events calsync wrote for an appointment. */
  public static final String APPOINTMENT_PROPERTY = "calsyncAppointmentId";

  private final ZoneId zone;
  private final boolean keepText;

  public EventMapper(String timeZone, boolean keepText) {
    ZoneId z;
    try {
      z = ZoneId.of(timeZone == null ? "UTC" : timeZone);
    } catch (DateTimeException e) {
      z = ZoneOffset.UTC;
    }
    this.zone = z;
    this.keepText = keepText;
  }

  /** True for a deleted event (not a cancelled instance of a recurring event, which must be kept to hide it). */
  public static boolean isDeletion(JsonObject event) {
    return "cancelled".equals(event.getValue("status")) && event.getValue("recurringEventId") == null;
  }

  public static String idOf(Object item) {
    if (!(item instanceof JsonObject o)) throw new IllegalArgumentException("an item of 'items' is not an object");
    Object id = o.getValue("id");
    if (!(id instanceof String s) || s.isEmpty()) throw new IllegalArgumentException("an event has no 'id'");
    return s;
  }

  public EventRow map(JsonObject e) {
    String id = idOf(e);
    String status = string(e, id, "status", "confirmed");
    String recurringId = string(e, id, "recurringEventId", null);
    OffsetDateTime originalStart = e.getValue("originalStartTime") == null ? null : time(e, id, "originalStartTime");
    if ("cancelled".equals(status)) {
      return new EventRow(id, status, "transparent", null, null, null, false, null, null, recurringId, originalStart, null, null,
          string(e, id, "etag", null), updated(e, id));
    }
    JsonObject start = obj(e, id, "start");
    OffsetDateTime startAt = time(e, id, "start");
    OffsetDateTime endAt = time(e, id, "end");
    if (endAt.isBefore(startAt)) throw bad(id, "end", "is before start");
    JsonArray rec = e.getValue("recurrence") instanceof JsonArray a ? a : null;
    JsonObject ext = e.getValue("extendedProperties") instanceof JsonObject x ? x : null;
    JsonObject priv = ext != null && ext.getValue("private") instanceof JsonObject p ? p : null;
    return new EventRow(id, status, string(e, id, "transparency", "opaque"), selfResponse(e), startAt, endAt,
        start.getValue("date") != null, string(start, id, "timeZone", null), rec == null ? null : String.join("\n", rec.stream().map(String::valueOf).toList()),
        recurringId, originalStart, priv == null ? null : string(priv, id, APPOINTMENT_PROPERTY, null),
        keepText ? string(e, id, "summary", null) : null, string(e, id, "etag", null), updated(e, id));
  }

  private static String selfResponse(JsonObject e) {
    if (!(e.getValue("attendees") instanceof JsonArray attendees)) return null;
    for (Object a : attendees) {
      if (a instanceof JsonObject o && Boolean.TRUE.equals(o.getValue("self"))) return o.getString("responseStatus");
    }
    return null;
  }

  private OffsetDateTime time(JsonObject e, String id, String field) {
    JsonObject t = obj(e, id, field);
    Object dateTime = t.getValue("dateTime");
    Object date = t.getValue("date");
    try {
      if (dateTime instanceof String s) return Rfc3339.parse(s);
      if (date instanceof String s) return LocalDate.parse(s).atStartOfDay(zone).toOffsetDateTime();
    } catch (DateTimeException ex) {
      throw bad(id, field, "is not RFC 3339: '" + (dateTime != null ? dateTime : date) + "'");
    }
    throw bad(id, field, "has neither dateTime nor date");
  }

  private static OffsetDateTime updated(JsonObject e, String id) {
    Object u = e.getValue("updated");
    if (!(u instanceof String s)) return null;
    try {
      return Rfc3339.parse(s);
    } catch (DateTimeException ex) {
      throw bad(id, "updated", "is not RFC 3339");
    }
  }

  private static JsonObject obj(JsonObject e, String id, String field) {
    if (e.getValue(field) instanceof JsonObject o) return o;
    throw bad(id, field, "is missing or not an object");
  }

  private static String string(JsonObject e, String id, String field, String def) {
    Object v = e.getValue(field);
    if (v == null) return def;
    if (v instanceof String s) return s;
    throw bad(id, field, "is not a string");
  }

  private static IllegalArgumentException bad(String id, String field, String problem) {
    return new IllegalArgumentException("event " + id + ": '" + field + "' " + problem);
  }
}
