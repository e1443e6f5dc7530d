package org.calsync.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL for calendars: one row per calendar of an integration's Google calendar list (removed ones keep their row with
 * removed_at, so a choice survives a calendar coming back). Only rows that count as busy (generated column busy, V14)
 * are synced, mirrored, watched and checked for conflicts.
 */
public final class Calendars {
  public record Calendar(long id, long integrationId, String googleId, String timeZone, String syncToken) {
  }

  /** An entry of a complete calendarList answer. */
  public record Listed(String googleId, String summary, String timeZone, String accessRole, boolean selected,
                       boolean primary) {
  }

  /** A calendar row: what Google says of it, what was chosen (busyChoice null: the default) and what follows. */
  public record CalendarState(long id, String googleId, String summary, String timeZone, String accessRole, boolean selected,
                    boolean primary, Boolean busyChoice, boolean writeTarget, boolean busy, boolean removed,
                    String syncToken, OffsetDateTime lastSyncAt) {
    public Calendar calendar(long integrationId) {
      return new Calendar(id, integrationId, googleId, timeZone, syncToken);
    }
  }

  private static final String ROW_COLUMNS = "id, google_calendar_id, summary, time_zone, access_role, selected, "
      + "is_primary, busy_choice, write_target, busy, removed_at IS NOT NULL, sync_token, last_sync_at";

  /** Every row of the integration (removed ones too), in id order; lock: FOR UPDATE (inside a transaction). */
  public static Future<List<CalendarState>> rows(SqlClient c, long integrationId, boolean lock) {
    return c.preparedQuery("SELECT " + ROW_COLUMNS + " FROM calendars WHERE integration_id = $1 ORDER BY id"
            + (lock ? " FOR UPDATE" : ""))
        .execute(Tuple.of(integrationId)).map(Calendars::states);
  }

  private static List<CalendarState> states(RowSet<Row> rs) {
    List<CalendarState> out = new ArrayList<>(rs.size());
    for (Row r : rs) {
      out.add(new CalendarState(r.getLong(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
          r.getBoolean(5), r.getBoolean(6), r.getBoolean(7), r.getBoolean(8), r.getBoolean(9), r.getBoolean(10),
          r.getString(11), r.getOffsetDateTime(12)));
    }
    out.sort(java.util.Comparator.comparingLong(CalendarState::id));
    return out;
  }

  /**
   * The first listing of an integration that has no calendar rows: inserts them with the primary calendar as the write
   * target (what {@link #applyListing} and {@link #ensureWriteTarget} would make of it, in one statement) and returns
   * the rows inserted, in id order. A calendar that exists meanwhile is left alone and missing from the result.
   */
  public static Future<List<CalendarState>> insertFirst(SqlClient c, long integrationId, List<Listed> listed) {
    return c.preparedQuery("INSERT INTO calendars (integration_id, google_calendar_id, summary, time_zone, access_role, "
            + "selected, is_primary, write_target) SELECT $1, t.*, t.p FROM unnest($2::text[], "
            + "$3::text[], $4::text[], $5::text[], $6::boolean[], $7::boolean[]) AS t(g, s, z, r, sel, p) "
            + "ON CONFLICT (integration_id, google_calendar_id) DO NOTHING RETURNING " + ROW_COLUMNS)
        .execute(listingTuple(integrationId, listed)).map(Calendars::states);
  }

  /**
   * Applies a complete calendarList answer: listed calendars are added or updated (a removed one comes back, its
   * choices kept), calendars no longer listed are marked removed; then {@link #ensureWriteTarget}.
   */
  public static Future<Void> applyListing(SqlClient c, long integrationId, List<Listed> listed) {
    Tuple params = listingTuple(integrationId, listed);
    return c.preparedQuery("INSERT INTO calendars (integration_id, google_calendar_id, summary, time_zone, access_role, "
            + "selected, is_primary) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], "
            + "$6::boolean[], $7::boolean[]) ON CONFLICT (integration_id, google_calendar_id) DO UPDATE SET "
            + "summary = EXCLUDED.summary, time_zone = EXCLUDED.time_zone, access_role = EXCLUDED.access_role, "
            + "selected = EXCLUDED.selected, is_primary = EXCLUDED.is_primary, removed_at = NULL")
        .execute(params)
        .compose(v -> c.preparedQuery("UPDATE calendars SET removed_at = now(), write_target = false "
                + "WHERE integration_id = $1 AND removed_at IS NULL AND google_calendar_id <> ALL($2::text[])")
            .execute(Tuple.of(integrationId, params.getValue(1))))
        .compose(v -> ensureWriteTarget(c, integrationId));
  }

  /** $1 the integration, $2..$7 the listing's ids, summaries, zones, roles, selected and primary flags. */
  private static Tuple listingTuple(long integrationId, List<Listed> listed) {
    int n = listed.size();
    String[] ids = new String[n], summaries = new String[n], zones = new String[n], roles = new String[n];
    Boolean[] selected = new Boolean[n], primary = new Boolean[n];
    for (int i = 0; i < n; i++) {
      Listed l = listed.get(i);
      ids[i] = l.googleId();
      summaries[i] = l.summary();
      zones[i] = l.timeZone();
      roles[i] = l.accessRole();
      selected[i] = l.selected();
      primary[i] = l.primary();
    }
    return Tuple.of(integrationId, ids, summaries, zones, roles, selected, primary);
  }

  /**
   * The write target must be listed and writable (owner/writer): otherwise it moves to the primary calendar (also
   * when none was set yet).
   */
  public static Future<Void> ensureWriteTarget(SqlClient c, long integrationId) {
    return c.preparedQuery("UPDATE calendars SET write_target = false WHERE integration_id = $1 AND write_target "
            + "AND (removed_at IS NOT NULL OR access_role NOT IN ('owner', 'writer'))")
        .execute(Tuple.of(integrationId))
        .compose(v -> c.preparedQuery("UPDATE calendars SET write_target = true WHERE integration_id = $1 AND is_primary "
                + "AND removed_at IS NULL AND NOT EXISTS (SELECT 1 FROM calendars o WHERE o.integration_id = $1 "
                + "AND o.write_target)").execute(Tuple.of(integrationId)))
        .mapEmpty();
  }

  /** Records an explicit choice: busy (null: back to the default) for one calendar. */
  public static Future<Void> chooseBusy(SqlClient c, long calendarId, Boolean busy) {
    return c.preparedQuery("UPDATE calendars SET busy_choice = $2 WHERE id = $1").execute(Tuple.of(calendarId, busy))
        .mapEmpty();
  }

  /** Makes the calendar the integration's only write target. */
  public static Future<Void> chooseWriteTarget(SqlClient c, long integrationId, long calendarId) {
    return c.preparedQuery("UPDATE calendars SET write_target = false WHERE integration_id = $1 AND write_target AND id <> $2")
        .execute(Tuple.of(integrationId, calendarId))
        .compose(v -> c.preparedQuery("UPDATE calendars SET write_target = true WHERE id = $1").execute(Tuple.of(calendarId)))
        .mapEmpty();
  }

  /** Forgets the sync state of calendars whose mirror was erased (a later sync of them starts with a full listing). */
  public static Future<Void> forgetSync(SqlClient c, List<Long> calendarIds) {
    if (calendarIds.isEmpty()) return Future.succeededFuture();
    return c.preparedQuery("UPDATE calendars SET sync_token = NULL, last_sync_at = NULL, last_full_sync_at = NULL, "
            + "busy_until = NULL, busy_expanded_at = NULL WHERE id = ANY($1)")
        .execute(Tuple.of(calendarIds.toArray(new Long[0]))).mapEmpty();
  }

  private final Pool pool;

  public Calendars(Pool pool) {
    this.pool = pool;
  }

  /** The calendars that count as busy (synced), in id order. */
  public Future<List<Calendar>> of(long integrationId) {
    return pool.preparedQuery("SELECT id, integration_id, google_calendar_id, time_zone, sync_token FROM calendars "
            + "WHERE integration_id = $1 AND busy ORDER BY id")
        .execute(Tuple.of(integrationId)).map(rs -> {
          List<Calendar> out = new ArrayList<>(rs.size());
          for (Row r : rs) out.add(new Calendar(r.getLong(0), r.getLong(1), r.getString(2), r.getString(3), r.getString(4)));
          return out;
        });
  }

  public static Future<Void> saveSyncToken(SqlClient conn, long calendarId, String token, boolean full) {
    return conn.preparedQuery("UPDATE calendars SET sync_token = $2, last_sync_at = now()"
            + (full ? ", last_full_sync_at = now()" : "") + " WHERE id = $1")
        .execute(Tuple.of(calendarId, token)).mapEmpty();
  }

  public static Future<Void> clearSyncToken(SqlClient conn, long calendarId) {
    return conn.preparedQuery("UPDATE calendars SET sync_token = NULL WHERE id = $1").execute(Tuple.of(calendarId)).mapEmpty();
  }

  /** A calendar whose busy blocks are due a full re-expansion (rolling recurrence horizon). */
  public record Expansion(long calendarId, String timeZone) {
  }

  /** Calendars last fully expanded over a day ago (or never), least recently first. */
  public Future<List<Expansion>> dueForExpansion(int limit) {
    return pool.preparedQuery("SELECT id, time_zone FROM calendars WHERE busy AND (busy_expanded_at IS NULL "
            + "OR busy_expanded_at < now() - interval '1 day') ORDER BY busy_expanded_at NULLS FIRST LIMIT $1")
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
