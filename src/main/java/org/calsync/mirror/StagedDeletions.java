package org.calsync.mirror;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * SQL for staged_deletions: the deletions an incremental listing has met on its pages so far, keyed by the listing's
 * run id. They are applied, after the mass-deletion guard, with the new sync token once the listing is complete, so a
 * listing holds no more than one page in memory and a refused or interrupted one deletes nothing.
 */
public final class StagedDeletions {
  /** Rows of runs older than this are left-overs of interrupted listings. */
  private static final String LEFT_OVER = "1 day";

  private StagedDeletions() {
  }

  /** Stages deletions of a page (same id twice: kept once). */
  public static Future<Void> stage(SqlClient conn, UUID run, long calendarId, Collection<String> ids) {
    if (ids.isEmpty()) return Future.succeededFuture();
    return conn.preparedQuery("INSERT INTO staged_deletions (run_id, calendar_id, google_event_id) "
            + "SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING")
        .execute(Tuple.of(run, calendarId, ids.toArray(new String[0]))).mapEmpty();
  }

  /** Withdraws staged deletions of events a later page listed again as live (the later version wins). */
  public static Future<Void> unstage(SqlClient conn, UUID run, Collection<String> ids) {
    if (ids.isEmpty()) return Future.succeededFuture();
    return conn.preparedQuery("DELETE FROM staged_deletions WHERE run_id = $1 AND google_event_id = ANY($2)")
        .execute(Tuple.of(run, (Object) ids.toArray(new String[0]))).mapEmpty();
  }

  /** How many of the run's staged deletions remove a row the mirror holds (what the mass-deletion guard counts). */
  public static Future<Long> countMirrored(SqlClient conn, UUID run) {
    return conn.preparedQuery("SELECT count(*) FROM staged_deletions s JOIN calendar_events e "
            + "ON e.calendar_id = s.calendar_id AND e.google_event_id = s.google_event_id WHERE s.run_id = $1")
        .execute(Tuple.of(run)).map(rs -> rs.iterator().next().getLong(0));
  }


  /** Takes up to limit of the run's staged ids out of the table (inside the applying transaction). */
  public static Future<List<String>> take(SqlClient conn, UUID run, int limit) {
    return conn.preparedQuery("DELETE FROM staged_deletions WHERE run_id = $1 AND google_event_id IN "
            + "(SELECT google_event_id FROM staged_deletions WHERE run_id = $1 LIMIT $2) RETURNING google_event_id")
        .execute(Tuple.of(run, limit)).map(rs -> {
          List<String> ids = new ArrayList<>(rs.size());
          for (Row r : rs) ids.add(r.getString(0));
          return ids;
        });
  }

  /** Drops what the run staged (its listing failed or was refused) and left-overs of the calendar's interrupted runs. */
  public static Future<Void> discard(SqlClient conn, UUID run, long calendarId) {
    return conn.preparedQuery("DELETE FROM staged_deletions WHERE run_id = $1 "
            + "OR (calendar_id = $2 AND staged_at < now() - interval '" + LEFT_OVER + "')")
        .execute(Tuple.of(run, calendarId)).mapEmpty();
  }
}
