package org.calsync.booking;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.calsync.booking.Requests.Who;
import org.calsync.config.DbConfig;
import org.calsync.db.Db;

/**
 * The database read of conflict and availability checks ({@link BusyQueries#check}), coalesced: at most
 * {@link #STATEMENTS} statements run at a time; checks that arrive meanwhile wait and go out together in the next one
 * (at most {@link #MAX_BATCH} per statement). A lone check goes out at once, in a plain statement of its own; under
 * load many checks cost one round trip and one plan execution, and checks hold at most STATEMENTS connections, whatever
 * their number. Each check gets back only its own rows, in the layout of {@link #SQL} (column 1, its place in the batch,
 * aside). A failed shared statement is retried check by check, so a check fails only for its own reason.
 *
 * <p>The statements run on a pool of their own, {@link #STATEMENTS} connections: a check never queues behind sync work
 * for a connection of the shared pool, and its connections plan the statement once, generically
 * (plan_cache_mode=force_generic_plan: PostgreSQL would otherwise re-plan it on every execution, since the custom plan
 * of a short array always looks cheaper than the generic one, and planning costs more than running it).
 */
final class CheckBatch {
  /**
   * Statements in flight at most. One: while it runs, the checks that arrive gather into the next; on the 2-core
   * machine the daemon is sized for, a second statement only splits the batches and competes for the same cores
   * (bench-conflicts, 32 in flight: 4 statements p99 6.6-7.3 ms, 13,600 checks/s; 2: 5.6-6.3 ms, 16,000-17,200/s;
   * 1: 3.9-4.5 ms, 18,900-21,000/s).
   */
  static final int STATEMENTS = 1;
  /** Checks per statement at most. */
  static final int MAX_BATCH = 64;

  /**
   * One row per (check, integration, busy calendar) of kind 0 (a null calendar when the integration has none):
   * kind, n, integration, calendar, stale, last sync, busy_until, zone; and one of kind 1 per block overlapping the
   * check's [start, end): kind, n, NULL, calendar, NULL, start, end, event id, appointment id. n is the check's place in
   * the arrays (from 1). A check names an integration or a user (the user's integrations not disconnected); lo is the
   * earliest start a block overlapping the range can have (start minus the longest block), which bounds the range scan
   * of (calendar_id, start_at). Blocks of the excluded appointment (its marker, its derived event id, or the event id
   * stored on the appointment) are left out. The per-check lookups are lateral so each stays an index lookup whatever
   * the batch size.
   */
  static final String SQL = "WITH cal AS MATERIALIZED (SELECT q.n, q.start_at, q.end_at, q.lo, q.exclude, q.derived, "
      + "u.iid, u.calendar_id, u.stale, u.last_sync_at, u.busy_until, u.time_zone "
      + "FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::text[], "
      + "$7::text[], $8::int[]) WITH ORDINALITY AS q(integration_id, user_id, start_at, end_at, lo, exclude, derived, "
      + "stale_minutes, n) "
      + "CROSS JOIN LATERAL (" + scope("i.id = q.integration_id") + " UNION ALL "
      + scope("i.user_id = q.user_id AND i.status <> 'disconnected'") + ") u) "
      + "SELECT 0, n::int, iid, calendar_id, stale, last_sync_at, busy_until, time_zone, NULL::text FROM cal "
      + "UNION ALL SELECT 1, cal.n::int, NULL, b.calendar_id, NULL, b.start_at, b.end_at, b.event_id, b.appointment_id "
      + "FROM cal JOIN busy_blocks b ON b.calendar_id = cal.calendar_id AND b.start_at < cal.end_at "
      + "AND b.start_at > cal.lo AND b.end_at > cal.start_at AND (cal.exclude IS NULL OR "
      + "(b.appointment_id IS DISTINCT FROM cal.exclude AND b.event_id <> cal.derived "
      + "AND b.event_id IS DISTINCT FROM (SELECT a.google_event_id FROM appointments a WHERE a.id = cal.exclude)))";

  /**
   * A lone check: the same rows as {@link #SQL} (n = 1) from a plain statement, whose plan does less than the batch's
   * with one element ($1 the integration or user, $2 start, $3 end, $4 lo, $5 exclude, $6 stale minutes, $7 derived).
   */
  private static final String ONE_BY_INTEGRATION = one("u.id = $1");
  private static final String ONE_BY_USER = one("u.user_id = $1 AND u.status <> 'disconnected'");

  private static String one(String where) {
    return "WITH cal AS MATERIALIZED (SELECT u.id AS integration_id, c.id AS calendar_id, "
        + "c.last_sync_at IS NULL OR c.last_sync_at < now() - make_interval(mins => $6) AS stale, "
        + "c.last_sync_at, c.busy_until, c.time_zone "
        + "FROM user_integrations u LEFT JOIN calendars c ON c.integration_id = u.id AND c.busy WHERE " + where + ") "
        + "SELECT 0, 1, integration_id, calendar_id, stale, last_sync_at, busy_until, time_zone, NULL::text FROM cal "
        + "UNION ALL SELECT 1, 1, NULL, b.calendar_id, NULL, b.start_at, b.end_at, b.event_id, b.appointment_id "
        + "FROM cal JOIN busy_blocks b ON b.calendar_id = cal.calendar_id AND b.start_at < $3 AND b.start_at > $4 "
        + "AND b.end_at > $2 AND ($5::text IS NULL OR (b.appointment_id IS DISTINCT FROM $5 AND b.event_id <> $7 "
        + "AND b.event_id IS DISTINCT FROM (SELECT a.google_event_id FROM appointments a WHERE a.id = $5)))";
  }

  private static String scope(String where) {
    return "SELECT i.id AS iid, c.id AS calendar_id, "
        + "c.last_sync_at IS NULL OR c.last_sync_at < now() - make_interval(mins => q.stale_minutes) AS stale, "
        + "c.last_sync_at, c.busy_until, c.time_zone "
        + "FROM user_integrations i LEFT JOIN calendars c ON c.integration_id = i.id AND c.busy WHERE " + where;
  }

  /** One check: who, its range and the earliest block start to read, the appointment to leave out (or null). */
  record Check(Who who, OffsetDateTime start, OffsetDateTime end, OffsetDateTime lo, String exclude, String derived,
               int staleMinutes) {
  }

  private record Waiting(Check check, Context context, Promise<List<Row>> answer) {
  }

  private final Pool pool;
  private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
  private int running;

  private CheckBatch(Pool pool) {
    this.pool = pool;
  }

  /** Opens the batch's own pool (connections made on first use); {@link #close} closes it. */
  static CheckBatch open(Vertx vertx, DbConfig db) {
    PgConnectOptions options = Db.connectOptions(db);
    options.addProperty("plan_cache_mode", "force_generic_plan");
    return new CheckBatch(PgBuilder.pool().with(Db.poolOptions(STATEMENTS).setName("calsync-checks"))
        .connectingTo(options).using(vertx).build());
  }

  Future<Void> close() {
    return pool.close();
  }

  /** This check's rows; completed on the caller's context. */
  Future<List<Row>> read(Check check) {
    Promise<List<Row>> answer = Promise.promise();
    List<Waiting> batch;
    synchronized (this) {
      queue.add(new Waiting(check, Vertx.currentContext(), answer));
      batch = next();
    }
    if (batch != null) send(batch);
    return answer.future();
  }

  /** The next statement's checks, or null when STATEMENTS run or none wait; counts it as running. Under the lock. */
  private List<Waiting> next() {
    if (running >= STATEMENTS || queue.isEmpty()) return null;
    running++;
    List<Waiting> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
    while (!queue.isEmpty() && batch.size() < MAX_BATCH) batch.add(queue.poll());
    return batch;
  }

  private void send(List<Waiting> batch) {
    Future<RowSet<Row>> rows = batch.size() == 1 ? sendOne(batch.get(0).check()) : sendMany(batch);
    rows.onComplete(ar -> {
      List<Waiting> again;
      synchronized (this) {
        running--;
        again = next();
      }
      if (again != null) send(again);
      if (ar.failed() && batch.size() > 1) {
        // one check's bad value must not fail the others: each is read again on its own and fails or answers alone
        for (Waiting w : batch) sendOne(w.check()).onComplete(one -> answer(List.of(w), one));
      } else {
        answer(batch, ar);
      }
    });
  }

  private Future<RowSet<Row>> sendOne(Check c) {
    Long id = c.who().integrationId() != null ? c.who().integrationId() : c.who().userId();
    return pool.preparedQuery(c.who().integrationId() != null ? ONE_BY_INTEGRATION : ONE_BY_USER)
        .execute(Tuple.of(id, c.start(), c.end(), c.lo(), c.exclude(), c.staleMinutes(), c.derived()));
  }

  private Future<RowSet<Row>> sendMany(List<Waiting> batch) {
    int k = batch.size();
    Long[] integrations = new Long[k];
    Long[] users = new Long[k];
    OffsetDateTime[] starts = new OffsetDateTime[k];
    OffsetDateTime[] ends = new OffsetDateTime[k];
    OffsetDateTime[] los = new OffsetDateTime[k];
    String[] excludes = new String[k];
    String[] derived = new String[k];
    Integer[] stale = new Integer[k];
    for (int j = 0; j < k; j++) {
      Check c = batch.get(j).check();
      integrations[j] = c.who().integrationId();
      users[j] = c.who().userId();
      starts[j] = c.start();
      ends[j] = c.end();
      los[j] = c.lo();
      excludes[j] = c.exclude();
      derived[j] = c.derived();
      stale[j] = c.staleMinutes();
    }
    return pool.preparedQuery(SQL)
        .execute(Tuple.from(new Object[] {integrations, users, starts, ends, los, excludes, derived, stale}));
  }

  private static void answer(List<Waiting> batch, AsyncResult<RowSet<Row>> ar) {
    List<List<Row>> rows = new ArrayList<>(batch.size());
    for (int j = 0; j < batch.size(); j++) rows.add(new ArrayList<>());
    if (ar.succeeded()) for (Row r : ar.result()) rows.get(r.getInteger(1) - 1).add(r);
    for (int j = 0; j < batch.size(); j++) {
      Waiting w = batch.get(j);
      List<Row> mine = rows.get(j);
      Runnable done = ar.succeeded() ? () -> w.answer().complete(mine) : () -> w.answer().fail(ar.cause());
      if (w.context() == null || w.context() == Vertx.currentContext()) done.run();
      else w.context().runOnContext(v -> done.run());
    }
  }
}
