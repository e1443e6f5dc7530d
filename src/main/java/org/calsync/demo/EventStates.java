package org.calsync.demo;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;

/**
 * What a convergence check compares per live event, as one string: start and end (an instant, or a date for all-day
 * events), status and transparency. Google's resource and the mirror row of the same event give equal strings; a
 * mirror that missed a move, a status or transparency change gives a different one.
 */
public final class EventStates {
  /**
   * Columns {@link #ofMirror} reads, in order; FROM calendar_events e JOIN calendars c. The first two are the calendar's
   * and the event's Google ids.
   */
  public static final String MIRROR_COLUMNS = "c.google_calendar_id, e.google_event_id, e.start_at, e.end_at, e.all_day, "
      + "e.status, e.transparency, c.time_zone";

  private EventStates() {
  }

  /** A Google event resource (as events.get returns it). */
  public static String ofGoogle(JsonObject event) {
    return time(event.getJsonObject("start")) + "|" + time(event.getJsonObject("end")) + "|"
        + event.getString("status", "confirmed") + "|" + event.getString("transparency", "opaque");
  }

  /** A mirror row selected with {@link #MIRROR_COLUMNS}. */
  public static String ofMirror(Row r) {
    boolean allDay = Boolean.TRUE.equals(r.getBoolean(4));
    ZoneId zone = ZoneId.of(r.getString(7));
    return time(r.getOffsetDateTime(2), allDay, zone) + "|" + time(r.getOffsetDateTime(3), allDay, zone) + "|"
        + r.getString(5) + "|" + r.getString(6);
  }

  private static String time(JsonObject t) {
    if (t == null) return "";
    if (t.getValue("date") != null) return "date:" + t.getString("date");
    if (t.getValue("dateTime") != null) return OffsetDateTime.parse(t.getString("dateTime")).toInstant().toString();
    return "";
  }

  private static String time(OffsetDateTime at, boolean allDay, ZoneId zone) {
    if (at == null) return "";
    return allDay ? "date:" + LocalDate.ofInstant(at.toInstant(), zone) : at.toInstant().toString();
  }
}
