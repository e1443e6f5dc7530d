package org.calsync.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/** SQL for calendars (one row per synced Google calendar of an integration). */
public final class Calendars {
  public record Calendar(long id, long integrationId, String googleId, String timeZone, String syncToken) {
  }

  private final Pool pool;

  public Calendars(Pool pool) {
    this.pool = pool;
  }

  public Future<List<Calendar>> of(long integrationId) {
    return pool.preparedQuery("SELECT id, integration_id, google_calendar_id, time_zone, sync_token FROM calendars "
            + "WHERE integration_id = $1 ORDER BY id")
        .execute(Tuple.of(integrationId)).map(rs -> {
          List<Calendar> out = new ArrayList<>(rs.size());
          for (Row r : rs) out.add(new Calendar(r.getLong(0), r.getLong(1), r.getString(2), r.getString(3), r.getString(4)));
          return out;
        });
  }

  public Future<Calendar> upsert(long integrationId, String googleId, String timeZone, boolean primary) {
    return pool.preparedQuery("INSERT INTO calendars (integration_id, google_calendar_id, time_zone, is_primary) "
            + "VALUES ($1, $2, $3, $4) ON CONFLICT (integration_id, google_calendar_id) DO UPDATE SET "
            + "time_zone = EXCLUDED.time_zone, is_primary = EXCLUDED.is_primary RETURNING id, sync_token")
        .execute(Tuple.of(integrationId, googleId, timeZone, primary))
        .map(rs -> {
          Row r = rs.iterator().next();
          return new Calendar(r.getLong(0), integrationId, googleId, timeZone, r.getString(1));
        });
  }

  public static Future<Void> saveSyncToken(SqlClient conn, long calendarId, String token, boolean full) {
    return conn.preparedQuery("UPDATE calendars SET sync_token = $2, last_sync_at = now()"
            + (full ? ", last_full_sync_at = now()" : "") + " WHERE id = $1")
        .execute(Tuple.of(calendarId, token)).mapEmpty();
  }

  public Future<Void> clearSyncToken(long calendarId) {
    return pool.preparedQuery("UPDATE calendars SET sync_token = NULL WHERE id = $1").execute(Tuple.of(calendarId)).mapEmpty();
  }

  /** A calendar whose busy blocks are due a full re-expansion (rolling recurrence horizon). */
  public record Expansion(long calendarId, String timeZone) {
  }

  /** Calendars last fully expanded over a day ago (or never), least recently first. */
  public Future<List<Expansion>> dueForExpansion(int limit) {
    return pool.preparedQuery("SELECT id, time_zone FROM calendars WHERE busy_expanded_at IS NULL "
            + "OR busy_expanded_at < now() - interval '1 day' ORDER BY busy_expanded_at NULLS FIRST LIMIT $1")
        .execute(Tuple.of(limit)).map(rs -> {
          List<Expansion> out = new ArrayList<>(rs.size());
          for (Row r : rs) out.add(new Expansion(r.getLong(0), r.getString(1)));
          return out;
        });
  }

  /** Locks the calendar if it is still due a re-expansion and no other process holds it (SKIP LOCKED). */
  public static Future<Boolean> lockIfDueForExpansion(SqlClient conn, long calendarId) {
    return conn.preparedQuery("SELECT 1 FROM calendars WHERE id = $1 "
            + "AND (busy_expanded_at IS NULL OR busy_expanded_at < now() - interval '1 day') FOR UPDATE SKIP LOCKED")
        .execute(Tuple.of(calendarId)).map(rs -> rs.size() > 0);
  }
}
