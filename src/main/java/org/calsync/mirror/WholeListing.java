package org.calsync.mirror;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.calsync.mirror.BusyBlocks.Planned;
import org.calsync.mirror.Mirror.EventRow;

/**
 * A full listing that came complete in one page, written in one transaction (the caller's): the calendar's mirror,
 * skipped events, busy blocks, needs_check flags and sync token are replaced together, with the busy blocks expanded
 * beforehand from the listed rows ({@link BusyBlocks#plan}) instead of re-read. The statements are sent without waiting
 * for each other (one round trip):
 * <ol>
 * <li>the calendars row (new sync token and busy horizon) and, in the same statement, the upsert of the listed rows
 *     (synced_at = now(), the transaction's start); the row lock serialises busy rebuilds, as
 *     {@link BusyBlocks#rebuild}'s FOR UPDATE does, and is taken before busy_blocks is touched;
 * <li>one statement removing what the listing no longer has: mirror rows not written by this transaction (the sweep;
 *     rows of skipped events are kept), skipped_events rows of events not skipped again, the calendar's busy blocks and
 *     the quarantine rows of masters no longer quarantined; it returns the rows swept and the kept rows of skipped
 *     events (so the calendar's total is known without counting it);
 * <li>one statement inserting the new busy blocks and flagging the integration's appointments for the EMR-wins check;
 * <li>only when there are any: skipped events recorded, quarantined masters stored.
 * </ol>
 * The caller checks the mass-deletion guard on the returned counts before the transaction commits, and, in the same
 * transaction, that its worker still holds the job (a stale holder's listing is rolled back: {@code JobQueue.held}).
 */
public final class WholeListing {
  private WholeListing() {
  }

  /** The rows the listing removed from the mirror, and the rows the calendar had (listed or kept) before that. */
  public record Swept(long deleted, long total) {
  }

  private static final String LOCK_AND_UPSERT = Mirror.upsertAfter("UPDATE calendars SET sync_token = $17, "
      + "last_sync_at = now(), last_full_sync_at = now(), busy_expanded_at = now(), busy_until = $18 WHERE id = $1 RETURNING id");

  private static final String SWEEP = "WITH gone AS (DELETE FROM calendar_events WHERE calendar_id = $1 AND synced_at < now() "
      + "AND google_event_id <> ALL($2::text[]) RETURNING 1), "
      + "skipped AS (DELETE FROM skipped_events WHERE calendar_id = $1 AND google_event_id <> ALL($2::text[])), "
      + "blocks AS (DELETE FROM busy_blocks WHERE calendar_id = $1), "
      + "quarantine AS (DELETE FROM busy_quarantine WHERE calendar_id = $1 AND root_id <> ALL($3::text[])) "
      + "SELECT (SELECT count(*) FROM gone), "
      + "(SELECT count(*) FROM calendar_events WHERE calendar_id = $1 AND google_event_id = ANY($2::text[]))";

  /** {@link BusyBlocks#INSERT} ($1..$6), then the flags of the integration's appointments ($7). */
  private static final String BLOCKS_AND_FLAGS = "WITH blocks AS (" + BusyBlocks.INSERT + ") " + BusyBlocks.flagAll(7);

  /**
   * Writes the listing (see the class comment); skipped: ids of unmappable events to the reason (their last good rows
   * are kept). Completes when every statement has.
   */
  public static Future<Swept> write(SqlConnection conn, long calendarId, long integrationId, String syncToken,
                                    List<EventRow> rows, Map<String, String> skipped, Planned busy) {
    String[] kept = skipped.keySet().toArray(new String[0]);
    Future<?> upsert = conn.preparedQuery(LOCK_AND_UPSERT).execute(Mirror.upsertTuple(calendarId, rows)
        .addString(syncToken).addValue(busy.until().atOffset(ZoneOffset.UTC)));
    Future<Swept> swept = conn.preparedQuery(SWEEP)
        .execute(Tuple.of(calendarId, kept, BusyBlocks.quarantinedIds(busy.expansion().quarantined())))
        .map(rs -> {
          Row r = rs.iterator().next();
          long gone = r.getLong(0);
          return new Swept(gone, rows.size() + r.getLong(1) + gone);
        });
    Future<?> blocks = conn.preparedQuery(BLOCKS_AND_FLAGS)
        .execute(BusyBlocks.blockTuple(calendarId, busy.expansion().blocks()).addLong(integrationId));
    Future<Void> record = SkippedEvents.record(conn, calendarId, skipped);
    Future<Void> quarantine = BusyBlocks.storeQuarantine(conn, calendarId, busy.expansion().quarantined());
    return Future.all(List.of(upsert, swept, blocks, record, quarantine)).map(v -> swept.result());
  }
}
