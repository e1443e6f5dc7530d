package org.calsync.sync;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
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

  /**
   * The events.list partial response calsync asks for (Google's fields syntax): the page tokens and every event field
   * {@link #map} and {@link #isDeletion} read, nothing else (less to send, inflate and parse, and no description,
   * location or attendee addresses on the wire). Summary only in {@link #LIST_FIELDS_WITH_TEXT} (sync.storeEventText).
   * A field read here and not listed there would silently read as absent: keep the two in step.
   */
  public static final String LIST_FIELDS = listFields("");
  public static final String LIST_FIELDS_WITH_TEXT = listFields(",summary");

  private static String listFields(String text) {
    return "nextPageToken,nextSyncToken,items(id,status,recurringEventId,originalStartTime,start,end,transparency,"
        + "attendees(self,responseStatus),recurrence,extendedProperties/private,etag,updated" + text + ")";
  }

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

  /**
   * The fields of a JSON object as parsed: a Map from the wire (Jackson's tree under a JsonObject), or a JsonObject
   * built in code; null for anything else. Fields are read from the map directly: JsonObject.getValue wraps every value
   * it hands out (a new wrapper per nested object, a chain of type checks per string), which was the largest single
   * cost of mapping a page.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> fields(Object value) {
    if (value instanceof Map<?, ?> m) return (Map<String, Object>) m;
    if (value instanceof JsonObject o) return o.getMap();
    return null;
  }

  /** A JSON array as parsed (List from the wire, or a JsonArray built in code); null for anything else. */
  static List<?> list(Object value) {
    if (value instanceof List<?> l) return l;
    if (value instanceof JsonArray a) return a.getList();
    return null;
  }

  /** True for a deleted event (not a cancelled instance of a recurring event, which must be kept to hide it). */
  public static boolean isDeletion(Map<String, Object> event) {
    return "cancelled".equals(event.get("status")) && event.get("recurringEventId") == null;
  }

  /** The event's fields; an item that is not an object or has no id fails (nothing can be said about it). */
  public static Map<String, Object> event(Object item) {
    Map<String, Object> e = fields(item);
    if (e == null) throw new IllegalArgumentException("an item of 'items' is not an object");
    if (!(e.get("id") instanceof String s) || s.isEmpty()) throw new IllegalArgumentException("an event has no 'id'");
    return e;
  }

  public EventRow map(Map<String, Object> e) {
    String id = (String) event(e).get("id");
    String status = string(e, id, "status", "confirmed");
    String recurringId = string(e, id, "recurringEventId", null);
    OffsetDateTime originalStart = e.get("originalStartTime") == null ? null : time(e, id, "originalStartTime");
    if ("cancelled".equals(status)) {
      return new EventRow(id, status, "transparent", null, null, null, false, null, null, recurringId, originalStart, null, null,
          string(e, id, "etag", null), updated(e, id));
    }
    Map<String, Object> start = obj(e, id, "start");
    OffsetDateTime startAt = time(e, id, "start");
    OffsetDateTime endAt = time(e, id, "end");
    if (endAt.isBefore(startAt)) throw bad(id, "end", "is before start");
    List<?> rec = list(e.get("recurrence"));
    Map<String, Object> ext = fields(e.get("extendedProperties"));
    Map<String, Object> priv = ext == null ? null : fields(ext.get("private"));
    return new EventRow(id, status, string(e, id, "transparency", "opaque"), selfResponse(e, id), startAt, endAt,
        start.get("date") != null, string(start, id, "timeZone", null),
        rec == null ? null : String.join("\n", rec.stream().map(String::valueOf).toList()),
        recurringId, originalStart, priv == null ? null : string(priv, id, APPOINTMENT_PROPERTY, null),
        keepText ? string(e, id, "summary", null) : null, string(e, id, "etag", null), updated(e, id));
  }

  private static String selfResponse(Map<String, Object> e, String id) {
    List<?> attendees = list(e.get("attendees"));
    if (attendees == null) return null;
    for (Object a : attendees) {
      Map<String, Object> o = fields(a);
      if (o == null || !Boolean.TRUE.equals(o.get("self"))) continue;
      Object status = o.get("responseStatus");
      if (status == null || status instanceof String) return (String) status;
      throw bad(id, "attendees", "has a responseStatus that is not a string");
    }
    return null;
  }

  private OffsetDateTime time(Map<String, Object> e, String id, String field) {
    Map<String, Object> t = obj(e, id, field);
    Object dateTime = t.get("dateTime");
    Object date = t.get("date");
    try {
      if (dateTime instanceof String s) return Rfc3339.parse(s);
      if (date instanceof String s) return LocalDate.parse(s).atStartOfDay(zone).toOffsetDateTime();
    } catch (DateTimeException ex) {
      throw bad(id, field, "is not RFC 3339: '" + (dateTime != null ? dateTime : date) + "'");
    }
    throw bad(id, field, "has neither dateTime nor date");
  }

  private static OffsetDateTime updated(Map<String, Object> e, String id) {
    if (!(e.get("updated") instanceof String s)) return null;
    try {
      return Rfc3339.parse(s);
    } catch (DateTimeException ex) {
      throw bad(id, "updated", "is not RFC 3339");
    }
  }

  private static Map<String, Object> obj(Map<String, Object> e, String id, String field) {
    Map<String, Object> o = fields(e.get(field));
    if (o != null) return o;
    throw bad(id, field, "is missing or not an object");
  }

  private static String string(Map<String, Object> e, String id, String field, String def) {
    Object v = e.get(field);
    if (v == null) return def;
    if (v instanceof String s) return s;
    throw bad(id, field, "is not a string");
  }

  private static IllegalArgumentException bad(String id, String field, String problem) {
    return new IllegalArgumentException("event " + id + ": '" + field + "' " + problem);
  }
}
