package org.calsync.mirror;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
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
import java.util.function.Supplier;
import org.calsync.config.BookingConfig;
import org.calsync.mirror.BusyExpansion.Block;
import org.calsync.mirror.BusyExpansion.Quarantined;
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
  public static final Duration PAST = Duration.ofDays(7);

  private final Vertx vertx;
  private final BookingConfig config;

  public BusyBlocks(Vertx vertx, BookingConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  /**
   * After an incremental sync applied upserts and deletions of one calendar (same transaction; the statements may
   * still be in flight: they are pipelined and run in order); deletedSeries: the recurring masters of deleted exception
   * rows (their blocks are stored under the master).
   */
  public Future<Void> afterChanges(SqlConnection conn, long calendarId, String timeZone, Collection<EventRow> upserts,
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
    return rebuild(conn, calendarId, zone(timeZone), roots.toArray(new String[0]),
        () -> conn.preparedQuery("UPDATE appointments SET needs_check = true WHERE google_event_id = ANY($2) "
                + "AND integration_id = (SELECT integration_id FROM calendars WHERE id = $1)")
            .execute(Tuple.of(calendarId, (Object) ids)))
        .mapEmpty();
  }

  /** After a full sync of the calendar (same connection / transaction): every block is recomputed. */
  public Future<Void> afterFull(SqlConnection conn, long calendarId, long integrationId, String timeZone) {
    return rebuild(conn, calendarId, zone(timeZone), null, () -> conn.preparedQuery(FLAG_ALL).execute(Tuple.of(integrationId)))
        .mapEmpty();
  }

  /**
   * After a full sync: every appointment of the integration (the statement's parameter number integrationParam) with
   * a Google event is to be compared with Google (rows already flagged are left alone, so an unchanged flag writes no
   * new row version).
   */
  static String flagAll(int integrationParam) {
    return "UPDATE appointments SET needs_check = true WHERE integration_id = $" + integrationParam + " "
        + "AND google_event_id IS NOT NULL AND NOT needs_check";
  }

  /** {@link #flagAll} on its own: $1 the integration. */
  private static final String FLAG_ALL = flagAll(1);

  /** Busy blocks expanded from a calendar's complete rows, and the end of the window they cover. */
  public record Planned(BusyExpansion.Expansion expansion, Instant until) {
  }

  /** Rows up to this many, none a recurring master, are expanded on the calling thread (cheaper than a worker hop). */
  static final int INLINE_ROWS = 500;

  /**
   * The busy blocks of a calendar's complete set of rows held in memory (a whole listing), over the window a full
   * {@link #rebuild} covers; nothing is read. Recurring masters and large inputs are expanded on a worker thread.
   */
  public Future<Planned> plan(String timeZone, List<EventRow> rows) {
    List<Source> sources = new ArrayList<>(rows.size());
    boolean masters = false;
    for (EventRow r : rows) {
      Source s = source(r);
      masters |= s.isMaster();
      sources.add(s);
    }
    Window w = window();
    return expand(sources, masters, zone(timeZone), w).map(expansion -> new Planned(expansion, w.until()));
  }

  /** Few rows and no recurring master are expanded on the calling thread, the rest on a worker thread. */
  private Future<BusyExpansion.Expansion> expand(List<Source> sources, boolean masters, ZoneId zone, Window w) {
    if (!masters && sources.size() <= INLINE_ROWS) {
      return Future.succeededFuture(BusyExpansion.expand(sources, zone, w.from(), w.until()));
    }
    return vertx.executeBlocking(() -> BusyExpansion.expand(sources, zone, w.from(), w.until()), false);
  }

  static Source source(EventRow r) {
    return new Source(r.id(), r.status(), r.transparency(), r.selfResponse(), r.startAt(), r.endAt(), r.allDay(),
        r.recurrence(), r.recurringEventId(), r.originalStart(), r.appointmentId(), r.timeZone());
  }

  /** The span busy blocks are expanded over: from {@link #PAST} ago to booking.horizonDays ahead. */
  private record Window(Instant from, Instant until) {
  }

  private Window window() {
    Instant now = Instant.now();
    return new Window(now.minus(PAST), now.plus(Duration.ofDays(config.horizonDays())));
  }

  /** Recomputes the blocks of the given roots (null: the whole calendar, which also renews its horizon). */
  public Future<Integer> rebuild(SqlConnection conn, long calendarId, ZoneId zone, String[] roots) {
    return rebuild(conn, calendarId, zone, roots, () -> Future.succeededFuture());
  }

  /**
   * As {@link #rebuild(SqlConnection, long, ZoneId, String[])}; then: a statement sent right after the writes. The
   * statements are pipelined on conn (they run in order; two round trips in all): the calendar's row lock with the read
   * of the rows, then the writes.
   */
  private Future<Integer> rebuild(SqlConnection conn, long calendarId, ZoneId zone, String[] roots, Supplier<Future<?>> then) {
    String rowsSql = "SELECT " + SOURCE_COLUMNS + " FROM calendar_events WHERE calendar_id = $1"
        + (roots == null ? "" : " AND (google_event_id = ANY($2) OR recurring_event_id = ANY($2))");
    Tuple params = roots == null ? Tuple.of(calendarId) : Tuple.of(calendarId, (Object) roots);
    Window w = window();
    Future<?> lock = conn.preparedQuery("SELECT id FROM calendars WHERE id = $1 FOR UPDATE").execute(Tuple.of(calendarId));
    Future<RowSet<Row>> read = conn.preparedQuery(rowsSql).execute(params);
    return lock.compose(x -> read)
        .compose(rs -> {
          List<Source> sources = new ArrayList<>(rs.size());
          boolean masters = false;
          for (Row r : rs) {
            Source s = source(r, 0);
            masters |= s.isMaster();
            sources.add(s);
          }
          return expand(sources, masters, zone, w);
        })
        .compose(expansion -> {
          List<Block> blocks = expansion.blocks();
          List<Future<?>> writes = new ArrayList<>();
          writes.add(roots == null
              ? conn.preparedQuery("DELETE FROM busy_blocks WHERE calendar_id = $1").execute(Tuple.of(calendarId))
              : conn.preparedQuery("DELETE FROM busy_blocks WHERE calendar_id = $1 AND root_id = ANY($2)").execute(params));
          writes.add(insert(conn, calendarId, blocks));
          writes.add(quarantine(conn, calendarId, roots, expansion.quarantined()));
          if (roots == null) {
            writes.add(conn.preparedQuery("UPDATE calendars SET busy_expanded_at = now(), busy_until = $2 WHERE id = $1")
                .execute(Tuple.of(calendarId, w.until().atOffset(ZoneOffset.UTC))));
          }
          writes.add(then.get());
          return Future.all(writes).map(v -> blocks.size());
        });
  }

  /** The mirror columns {@link #rebuild} reads, as a Source (columns from the given index on). */
  public static final String SOURCE_COLUMNS = "google_event_id, status, transparency, self_response, start_at, end_at, all_day, "
      + "recurrence, recurring_event_id, original_start, appointment_id, time_zone";

  public static Source source(Row r, int i) {
    return new Source(r.getString(i), r.getString(i + 1), r.getString(i + 2), r.getString(i + 3),
        r.getOffsetDateTime(i + 4), r.getOffsetDateTime(i + 5), r.getBoolean(i + 6), r.getString(i + 7),
        r.getString(i + 8), r.getOffsetDateTime(i + 9), r.getString(i + 10), r.getString(i + 11));
  }

  /** Replaces the quarantine rows of the rebuilt roots (null: the whole calendar), keeping quarantined_at of repeats. */
  private static Future<Void> quarantine(SqlClient conn, long calendarId, String[] roots, List<Quarantined> list) {
    String[] ids = quarantinedIds(list);
    Future<?> clear = conn.preparedQuery("DELETE FROM busy_quarantine WHERE calendar_id = $1 AND root_id <> ALL($2)"
            + (roots == null ? "" : " AND root_id = ANY($3)"))
        .execute(roots == null ? Tuple.of(calendarId, (Object) ids) : Tuple.of(calendarId, (Object) ids, (Object) roots));
    // sent without waiting: it runs after the clear on the same connection
    return Future.all(clear, storeQuarantine(conn, calendarId, list)).mapEmpty();
  }

  static String[] quarantinedIds(List<Quarantined> list) {
    return list.stream().map(Quarantined::rootId).toArray(String[]::new);
  }

  /** Upserts quarantine rows (the ones no longer quarantined are cleared by the caller). */
  static Future<Void> storeQuarantine(SqlClient conn, long calendarId, List<Quarantined> list) {
    if (list.isEmpty()) return Future.succeededFuture();
    String[] ids = quarantinedIds(list);
    String[] reasons = list.stream().map(Quarantined::reason).toArray(String[]::new);
    OffsetDateTime[] starts = list.stream().map(q -> q.spanStart().atOffset(ZoneOffset.UTC)).toArray(OffsetDateTime[]::new);
    OffsetDateTime[] ends = list.stream().map(q -> q.spanEnd() == null ? null : q.spanEnd().atOffset(ZoneOffset.UTC))
        .toArray(OffsetDateTime[]::new);
    return conn.preparedQuery("INSERT INTO busy_quarantine (calendar_id, root_id, reason, span_start, "
            + "span_end) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[]) "
            + "ON CONFLICT (calendar_id, root_id) DO UPDATE SET reason = EXCLUDED.reason, span_start = EXCLUDED.span_start, "
            + "span_end = EXCLUDED.span_end")
        .execute(Tuple.of(calendarId, (Object) ids, (Object) reasons, (Object) starts, (Object) ends)).mapEmpty();
  }

  private static Future<Void> insert(SqlClient conn, long calendarId, List<Block> blocks) {
    if (blocks.isEmpty()) return Future.succeededFuture();
    return conn.preparedQuery(INSERT).execute(blockTuple(calendarId, blocks)).mapEmpty();
  }

  /** Inserts blocks given as ($1 calendar, $2..$6 arrays of {@link #blockTuple}). */
  static final String INSERT = "INSERT INTO busy_blocks (calendar_id, root_id, event_id, start_at, end_at, appointment_id) "
      + "SELECT $1, * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[])";

  /** The parameters of {@link #INSERT}: the calendar, then the blocks' roots, events, starts, ends, appointments. */
  static Tuple blockTuple(long calendarId, List<Block> blocks) {
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
    return Tuple.of(calendarId, root, event, start, end, appt);
  }

  /**
   * Quarantined recurring events: {"events": count, "latest": [{"integrationId", "calendarId", "eventId", "reason",
   * "spanStart", "spanEnd", "since"}]} (at most 20, newest first).
   */
  public static Future<JsonObject> quarantined(SqlClient client) {
    return client.query("SELECT count(*) OVER (), c.integration_id, q.calendar_id, q.root_id, q.reason, q.span_start, "
            + "q.span_end, q.quarantined_at FROM busy_quarantine q JOIN calendars c ON c.id = q.calendar_id "
            + "ORDER BY q.quarantined_at DESC LIMIT 20").execute()
        .map(rs -> {
          JsonArray latest = new JsonArray();
          long count = 0;
          for (Row r : rs) {
            count = r.getLong(0);
            latest.add(new JsonObject().put("integrationId", r.getLong(1)).put("calendarId", r.getLong(2))
                .put("eventId", r.getString(3)).put("reason", r.getString(4)).put("spanStart", iso(r.getOffsetDateTime(5)))
                .put("spanEnd", iso(r.getOffsetDateTime(6))).put("since", iso(r.getOffsetDateTime(7))));
          }
          return new JsonObject().put("events", count).put("latest", latest);
        });
  }

  private static String iso(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }

  /** The calendar's zone; UTC when absent or unknown. */
  public static ZoneId zone(String timeZone) {
    return BusyExpansion.zone(timeZone, ZoneOffset.UTC);
  }
}
