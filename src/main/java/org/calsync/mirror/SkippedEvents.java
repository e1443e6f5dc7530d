package org.calsync.mirror;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.Map;

/**
 * SQL for skipped_events: Google events a sync could not map into the mirror (the reason names the field). The rest of
 * the calendar syncs; the event's last good version, if any, stays mirrored. A row goes when the event maps again or
 * is deleted, or when a full listing no longer lists it.
 */
public final class SkippedEvents {
  private SkippedEvents() {
  }

  /** Records (or refreshes last_seen and the reason of) skipped events: id to reason. */
  public static Future<Void> record(SqlClient conn, long calendarId, Map<String, String> skipped) {
    if (skipped.isEmpty()) return Future.succeededFuture();
    return conn.preparedQuery("INSERT INTO skipped_events (calendar_id, google_event_id, reason) "
            + "SELECT $1, * FROM unnest($2::text[], $3::text[]) ON CONFLICT (calendar_id, google_event_id) "
            + "DO UPDATE SET reason = EXCLUDED.reason, last_seen = now()")
        .execute(Tuple.of(calendarId, skipped.keySet().toArray(new String[0]), skipped.values().toArray(new String[0])))
        .mapEmpty();
  }

  /** Forgets events that were written or deleted since. */
  public static Future<Void> clear(SqlClient conn, long calendarId, Collection<String> ids) {
    if (ids.isEmpty()) return Future.succeededFuture();
    return conn.preparedQuery("DELETE FROM skipped_events WHERE calendar_id = $1 AND google_event_id = ANY($2)")
        .execute(Tuple.of(calendarId, (Object) ids.toArray(new String[0]))).mapEmpty();
  }

  /** End of a full listing: forgets what it did not skip again. */
  public static Future<Void> clearNotSeenSince(SqlClient conn, long calendarId, OffsetDateTime since) {
    return conn.preparedQuery("DELETE FROM skipped_events WHERE calendar_id = $1 AND last_seen < $2")
        .execute(Tuple.of(calendarId, since)).mapEmpty();
  }

  /** Count and the newest up to limit: integrationId, calendarId, eventId, reason, firstSeen, lastSeen. */
  public static Future<JsonObject> summary(SqlClient conn, int limit) {
    return conn.preparedQuery("SELECT c.integration_id, s.calendar_id, s.google_event_id, s.reason, s.first_seen, s.last_seen, "
            + "count(*) OVER () FROM skipped_events s JOIN calendars c ON c.id = s.calendar_id "
            + "ORDER BY s.last_seen DESC, s.google_event_id LIMIT $1")
        .execute(Tuple.of(limit)).map(rs -> {
          JsonArray latest = new JsonArray();
          long count = 0;
          for (Row r : rs) {
            count = r.getLong(6);
            latest.add(new JsonObject().put("integrationId", r.getLong(0)).put("calendarId", r.getLong(1))
                .put("eventId", r.getString(2)).put("reason", r.getString(3))
                .put("firstSeen", r.getOffsetDateTime(4).toString()).put("lastSeen", r.getOffsetDateTime(5).toString()));
          }
          return new JsonObject().put("count", count).put("latest", latest);
        });
  }
}
