package org.calsync.mirror;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.calsync.config.BookingConfig;
import org.calsync.mirror.BusyExpansion.Block;
import org.calsync.mirror.BusyExpansion.Source;
import org.calsync.mirror.Mirror.EventRow;

/**
 * Keeps busy_blocks in step with the mirror. The sync engine calls {@link #afterChanges} (incremental: only the touched
 * events and their recurring series) or {@link #afterFull} (whole calendar) inside the transaction that applied the
 * changes, so blocks and mirror commit together. Rebuilds of one calendar are serialised by a row lock on calendars.
 * Also flags appointments whose Google event the sync touched, for the EMR-wins check.
 */
public final class BusyBlocks {
  /** Recurring instances are expanded from this far back (busy time in the past matters little). */
  static final Duration PAST = Duration.ofDays(7);

  private final BookingConfig config;

  public BusyBlocks(BookingConfig config) {
    this.config = config;
  }

  /**
   * After an incremental sync applied upserts and deletions of one calendar (same connection / transaction);
   * deletedSeries: the recurring masters of deleted exception rows (their blocks are stored under the master).
   */
  public Future<Void> afterChanges(SqlClient conn, long calendarId, String timeZone, Collection<EventRow> upserts,
                                   Collection<String> deletions, Collection<String> deletedSeries) {
    Set<String> roots = new LinkedHashSet<>(deletions);
    roots.addAll(deletedSeries);
    Set<String> touched = new LinkedHashSet<>(deletions);
    for (EventRow r : upserts) {
      roots.add(r.recurringEventId() != null ? r.recurringEventId() : r.id());
      touched.add(r.id());
    }
    if (roots.isEmpty()) return Future.succeededFuture();
    String[] ids = touched.toArray(new String[0]);
    return rebuild(conn, calendarId, zone(timeZone), roots.toArray(new String[0]))
        .compose(v -> conn.preparedQuery("UPDATE appointments SET needs_check = true WHERE google_event_id = ANY($2) "
                + "AND integration_id = (SELECT integration_id FROM calendars WHERE id = $1)")
            .execute(Tuple.of(calendarId, (Object) ids)))
        .mapEmpty();
  }

  /** After a full sync of the calendar (same connection / transaction): every block is recomputed. */
  public Future<Void> afterFull(SqlClient conn, long calendarId, String timeZone) {
    return rebuild(conn, calendarId, zone(timeZone), null)
        .compose(v -> conn.preparedQuery("UPDATE appointments SET needs_check = true WHERE google_event_id IS NOT NULL "
                + "AND integration_id = (SELECT integration_id FROM calendars WHERE id = $1)")
            .execute(Tuple.of(calendarId)))
        .mapEmpty();
  }

  /** Recomputes the blocks of the given roots (null: the whole calendar, which also renews its horizon). */
  public Future<Integer> rebuild(SqlClient conn, long calendarId, ZoneId zone, String[] roots) {
    String rowsSql = "SELECT google_event_id, status, transparency, self_response, start_at, end_at, all_day, recurrence, "
        + "recurring_event_id, original_start, appointment_id, time_zone FROM calendar_events WHERE calendar_id = $1"
        + (roots == null ? "" : " AND (google_event_id = ANY($2) OR recurring_event_id = ANY($2))");
    Tuple params = roots == null ? Tuple.of(calendarId) : Tuple.of(calendarId, (Object) roots);
    Instant now = Instant.now();
    Instant from = now.minus(PAST);
    Instant until = now.plus(Duration.ofDays(config.horizonDays()));
    return conn.preparedQuery("SELECT id FROM calendars WHERE id = $1 FOR UPDATE").execute(Tuple.of(calendarId))
        .compose(x -> conn.preparedQuery(rowsSql).execute(params))
        .compose(rs -> {
          List<Source> sources = new ArrayList<>(rs.size());
          for (Row r : rs) {
            sources.add(new Source(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getOffsetDateTime(4),
                r.getOffsetDateTime(5), r.getBoolean(6), r.getString(7), r.getString(8), r.getOffsetDateTime(9),
                r.getString(10), r.getString(11)));
          }
          List<Block> blocks = BusyExpansion.expand(sources, zone, from, until);
          Future<?> delete = roots == null
              ? conn.preparedQuery("DELETE FROM busy_blocks WHERE calendar_id = $1").execute(Tuple.of(calendarId))
              : conn.preparedQuery("DELETE FROM busy_blocks WHERE calendar_id = $1 AND root_id = ANY($2)").execute(params);
          return delete.compose(v -> insert(conn, calendarId, blocks))
              .compose(v -> roots != null ? Future.succeededFuture()
                  : conn.preparedQuery("UPDATE calendars SET busy_expanded_at = now() WHERE id = $1").execute(Tuple.of(calendarId)))
              .map(v -> blocks.size());
        });
  }

  private static Future<Void> insert(SqlClient conn, long calendarId, List<Block> blocks) {
    if (blocks.isEmpty()) return Future.succeededFuture();
    int n = blocks.size();
    String[] root = new String[n], event = new String[n], appt = new String[n];
    OffsetDateTime[] start = new OffsetDateTime[n], end = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      Block b = blocks.get(i);
      root[i] = b.rootId();
      event[i] = b.eventId();
      appt[i] = b.appointmentId();
      start[i] = b.start().atOffset(ZoneOffset.UTC);
      end[i] = b.end().atOffset(ZoneOffset.UTC);
    }
    return conn.preparedQuery("INSERT INTO busy_blocks (calendar_id, root_id, event_id, start_at, end_at, appointment_id) "
            + "SELECT $1, * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[])")
        .execute(Tuple.of(calendarId, root, event, start, end, appt)).mapEmpty();
  }

  /** The calendar's zone; UTC when absent or unknown. */
  public static ZoneId zone(String timeZone) {
    return BusyExpansion.zone(timeZone, ZoneOffset.UTC);
  }
}
