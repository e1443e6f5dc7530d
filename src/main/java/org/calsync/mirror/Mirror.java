package org.calsync.mirror;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** SQL for calendar_events, the busy mirror. Writes are batched: one statement per page. */
public final class Mirror {
  private Mirror() {
  }

  /** One mirrored Google event; timeZone is its start.timeZone as sent (null when absent). */
  public record EventRow(String id, String status, String transparency, String selfResponse, OffsetDateTime startAt,
                         OffsetDateTime endAt, boolean allDay, String timeZone, String recurrence, String recurringEventId,
                         OffsetDateTime originalStart, String appointmentId, String summary, String etag,
                         OffsetDateTime updated) {
  }

  private static final String INSERT_INTO = "INSERT INTO calendar_events (calendar_id, google_event_id, status, transparency, "
      + "self_response, start_at, end_at, all_day, recurrence, recurring_event_id, original_start, appointment_id, summary, "
      + "etag, google_updated, time_zone, synced_at) ";

  /** The listed rows: $2..$16 of {@link #upsertTuple}, as relation u. */
  private static final String UNNEST = "unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], "
      + "$7::timestamptz[], $8::boolean[], $9::text[], $10::text[], $11::timestamptz[], $12::text[], $13::text[], $14::text[], "
      + "$15::timestamptz[], $16::text[]) AS u ";

  private static final String ON_CONFLICT = "ON CONFLICT (calendar_id, google_event_id) DO UPDATE SET status = EXCLUDED.status, "
      + "transparency = EXCLUDED.transparency, self_response = EXCLUDED.self_response, start_at = EXCLUDED.start_at, "
      + "end_at = EXCLUDED.end_at, all_day = EXCLUDED.all_day, recurrence = EXCLUDED.recurrence, "
      + "recurring_event_id = EXCLUDED.recurring_event_id, original_start = EXCLUDED.original_start, "
      + "appointment_id = EXCLUDED.appointment_id, summary = EXCLUDED.summary, etag = EXCLUDED.etag, "
      + "google_updated = EXCLUDED.google_updated, time_zone = EXCLUDED.time_zone, synced_at = now()";

  private static final String UPSERT = INSERT_INTO + "SELECT $1, u.* , now() FROM " + UNNEST + ON_CONFLICT;

  /**
   * The upsert of {@link #upsertTuple}'s rows preceded, in the same statement, by a with-query named cal that returns
   * the calendar's id: the rows are written only when it returns one (e.g. an UPDATE of the calendars row, which also
   * locks it). The with-query's own parameters follow the upsert's ($17 on).
   */
  static String upsertAfter(String cal) {
    return "WITH cal AS (" + cal + ") " + INSERT_INTO + "SELECT cal.id, u.*, now() FROM cal, " + UNNEST + ON_CONFLICT;
  }

  public static Future<Void> upsert(SqlClient conn, long calendarId, List<EventRow> rows) {
    if (rows.isEmpty()) return Future.succeededFuture();
    return conn.preparedQuery(UPSERT).execute(upsertTuple(calendarId, rows)).mapEmpty();
  }

  /** The parameters of the upsert: $1 the calendar, $2..$16 one array per column of the rows. */
  static Tuple upsertTuple(long calendarId, List<EventRow> rows) {
    int n = rows.size();
    String[] id = new String[n], status = new String[n], transp = new String[n], self = new String[n], rec = new String[n],
        recId = new String[n], appt = new String[n], summary = new String[n], etag = new String[n], zone = new String[n];
    OffsetDateTime[] start = new OffsetDateTime[n], end = new OffsetDateTime[n], orig = new OffsetDateTime[n],
        updated = new OffsetDateTime[n];
    Boolean[] allDay = new Boolean[n];
    for (int i = 0; i < n; i++) {
      EventRow r = rows.get(i);
      id[i] = r.id();
      status[i] = r.status();
      transp[i] = r.transparency();
      self[i] = r.selfResponse();
      start[i] = r.startAt();
      end[i] = r.endAt();
      allDay[i] = r.allDay();
      rec[i] = r.recurrence();
      recId[i] = r.recurringEventId();
      orig[i] = r.originalStart();
      appt[i] = r.appointmentId();
      summary[i] = r.summary();
      etag[i] = r.etag();
      updated[i] = r.updated();
      zone[i] = r.timeZone();
    }
    return Tuple.of(calendarId, id, status, transp, self, start, end, allDay, rec, recId, orig, appt, summary, etag, updated,
        zone);
  }

  /** What {@link #delete} removed: the row count and the recurring series the removed exceptions belonged to. */
  public record Deleted(int count, Set<String> series) {
  }

  /**
   * Deletes the rows; a tombstone may carry only the id, so the series of a removed exception is read from the row
   * itself (its busy time is kept under the series).
   */
  public static Future<Deleted> delete(SqlClient conn, long calendarId, Collection<String> ids) {
    if (ids.isEmpty()) return Future.succeededFuture(new Deleted(0, Set.of()));
    return conn.preparedQuery("DELETE FROM calendar_events WHERE calendar_id = $1 AND google_event_id = ANY($2) "
            + "RETURNING recurring_event_id")
        .execute(Tuple.of(calendarId, (Object) ids.toArray(new String[0]))).map(rs -> {
          Set<String> series = new HashSet<>();
          for (Row r : rs) {
            if (r.getString(0) != null) series.add(r.getString(0));
          }
          return new Deleted(rs.rowCount(), series);
        });
  }

  /** The database's clock (the time base of synced_at). */
  public static Future<OffsetDateTime> now(SqlClient conn) {
    return conn.query("SELECT now()").execute().map(rs -> rs.iterator().next().getOffsetDateTime(0));
  }

  /** [rows in the mirror, rows not written since the given time] for a calendar. */
  public static Future<long[]> sweepCounts(SqlClient conn, long calendarId, OffsetDateTime since) {
    return conn.preparedQuery("SELECT count(*), count(*) FILTER (WHERE synced_at < $2) FROM calendar_events WHERE calendar_id = $1")
        .execute(Tuple.of(calendarId, since)).map(rs -> {
          Row r = rs.iterator().next();
          return new long[] {r.getLong(0), r.getLong(1)};
        });
  }

  public static Future<Long> count(SqlClient conn, long calendarId) {
    return conn.preparedQuery("SELECT count(*) FROM calendar_events WHERE calendar_id = $1").execute(Tuple.of(calendarId))
        .map(rs -> rs.iterator().next().getLong(0));
  }

  /** Marks rows as listed now without changing them (a full listing skipped their new version: the sweep keeps them). */
  public static Future<Void> markListed(SqlClient conn, long calendarId, Collection<String> ids) {
    if (ids.isEmpty()) return Future.succeededFuture();
    return conn.preparedQuery("UPDATE calendar_events SET synced_at = now() WHERE calendar_id = $1 AND google_event_id = ANY($2)")
        .execute(Tuple.of(calendarId, (Object) ids.toArray(new String[0]))).mapEmpty();
  }

  /** Deletes the calendar's rows not written since the given time (end of a full listing). */
  public static Future<Integer> sweep(SqlClient conn, long calendarId, OffsetDateTime since) {
    return conn.preparedQuery("DELETE FROM calendar_events WHERE calendar_id = $1 AND synced_at < $2")
        .execute(Tuple.of(calendarId, since)).map(rs -> rs.rowCount());
  }


  /**
   * Removes everything mirrored of these calendars (events, busy blocks, quarantine, skipped and staged rows): they no
   * longer count as busy or left the calendar list. Returns the events removed.
   */
  public static Future<Integer> erase(SqlClient conn, List<Long> calendarIds) {
    if (calendarIds.isEmpty()) return Future.succeededFuture(0);
    Tuple ids = Tuple.of(calendarIds.toArray(new Long[0]));
    Future<Void> chain = Future.succeededFuture();
    for (String table : new String[]{"busy_blocks", "busy_quarantine", "skipped_events", "staged_deletions"}) {
      chain = chain.compose(v -> conn.preparedQuery("DELETE FROM " + table + " WHERE calendar_id = ANY($1)").execute(ids).mapEmpty());
    }
    return chain.compose(v -> conn.preparedQuery("DELETE FROM calendar_events WHERE calendar_id = ANY($1)").execute(ids))
        .map(io.vertx.sqlclient.SqlResult::rowCount);
  }
}
