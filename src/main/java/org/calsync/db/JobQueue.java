package org.calsync.db;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The durable queue in PostgreSQL ({@code jobs}, {@code failed_jobs}). At most one job per integration and kind:
 * enqueueing again raises the priority and pulls the due time forward, or, when the job is running, marks it to run
 * once more after. Claims take a lease ({@code locked_until}); a crashed process's jobs are claimable when it lapses.
 */
public final class JobQueue {
  public static final int PRIORITY_SCHEDULED = 0;
  public static final int PRIORITY_PUSH = 5;
  public static final int PRIORITY_MANUAL = 10;

  /** A claimed job. attempts counts this claim. */
  public record Job(long id, long integrationId, String kind, int priority, int attempts, JsonObject payload) {
  }

  private static final String UPSERT = "INSERT INTO jobs (integration_id, kind, priority, available_at) "
      + "SELECT * FROM unnest($1::bigint[], $2::text[], $3::smallint[], $4::timestamptz[]) "
      + "ON CONFLICT (integration_id, kind) DO UPDATE SET "
      + "priority = GREATEST(jobs.priority, EXCLUDED.priority), "
      + "available_at = CASE WHEN jobs.locked_until > now() THEN jobs.available_at "
      + "  ELSE LEAST(jobs.available_at, EXCLUDED.available_at) END, "
      + "rerun = jobs.rerun OR COALESCE(jobs.locked_until > now(), false)";

  private final Pool pool;

  public JobQueue(Pool pool) {
    this.pool = pool;
  }

  public Future<Void> enqueue(long integrationId, int priority, OffsetDateTime availableAt) {
    return enqueueAll(List.of(integrationId), List.of(availableAt), priority);
  }

  /** The same upsert on a caller's connection (inside the caller's transaction). */
  public static Future<Void> enqueue(SqlClient client, long integrationId, int priority, OffsetDateTime availableAt) {
    return client.preparedQuery(UPSERT).execute(Tuple.of(new Long[] {integrationId}, new String[] {"sync"},
        new Short[] {(short) priority}, new OffsetDateTime[] {availableAt})).mapEmpty();
  }

  /** Bulk enqueue (one statement); availableAt.get(i) belongs to ids.get(i). */
  public Future<Void> enqueueAll(List<Long> ids, List<OffsetDateTime> availableAt, int priority) {
    if (ids.isEmpty()) return Future.succeededFuture();
    String[] kinds = new String[ids.size()];
    Short[] prios = new Short[ids.size()];
    java.util.Arrays.fill(kinds, "sync");
    java.util.Arrays.fill(prios, (short) priority);
    return pool.preparedQuery(UPSERT)
        .execute(Tuple.of(ids.toArray(new Long[0]), kinds, prios, availableAt.toArray(new OffsetDateTime[0])))
        .mapEmpty();
  }

  /** Claims up to limit due jobs, highest priority first, skipping rows other processes hold. */
  public Future<List<Job>> claim(String worker, int limit, int leaseSeconds) {
    return pool.preparedQuery("UPDATE jobs j SET locked_by = $1, locked_until = now() + make_interval(secs => $2), "
            + "attempts = j.attempts + 1 FROM (SELECT id FROM jobs WHERE available_at <= now() "
            + "AND (locked_until IS NULL OR locked_until < now()) ORDER BY priority DESC, available_at LIMIT $3 "
            + "FOR UPDATE SKIP LOCKED) due WHERE j.id = due.id "
            + "RETURNING j.id, j.integration_id, j.kind, j.priority, j.attempts, j.payload")
        .execute(Tuple.of(worker, (double) leaseSeconds, limit))
        .map(rs -> {
          List<Job> jobs = new ArrayList<>(rs.size());
          for (Row r : rs) {
            Object p = r.getValue(5);
            jobs.add(new Job(r.getLong(0), r.getLong(1), r.getString(2), r.getInteger(3), r.getInteger(4),
                p instanceof JsonObject o ? o : new JsonObject()));
          }
          return jobs;
        });
  }

  /** Done: removed, or released for one more run when it was enqueued again while running. */
  public Future<Void> complete(Job job, String worker) {
    return pool.preparedQuery("WITH gone AS (DELETE FROM jobs WHERE id = $1 AND locked_by = $2 AND NOT rerun RETURNING id) "
            + "UPDATE jobs SET rerun = false, locked_by = NULL, locked_until = NULL, attempts = 0, last_error = NULL, "
            + "available_at = now() WHERE id = $1 AND locked_by = $2 AND rerun")
        .execute(Tuple.of(job.id(), worker)).mapEmpty();
  }

  /** Released to run again at now + delay. countAttempt=false gives the attempt back (deferrals, rate limits). */
  public Future<Void> retry(Job job, String worker, long delayMillis, String error, boolean countAttempt) {
    return pool.preparedQuery("UPDATE jobs SET locked_by = NULL, locked_until = NULL, last_error = $3, "
            + "available_at = now() + make_interval(secs => $4), attempts = attempts - $5 WHERE id = $1 AND locked_by = $2")
        .execute(Tuple.of(job.id(), worker, error, delayMillis / 1000.0, countAttempt ? 0 : 1)).mapEmpty();
  }

  /** Moves the job to failed_jobs with its error (one transaction: the job is never lost in between). */
  public Future<Void> fail(Job job, String worker, String errorClass, String error) {
    return pool.withTransaction(conn -> conn.preparedQuery("DELETE FROM jobs WHERE id = $1 AND locked_by = $2 "
            + "RETURNING integration_id, kind, payload, attempts")
        .execute(Tuple.of(job.id(), worker))
        .compose(rs -> {
          if (rs.size() == 0) return Future.succeededFuture();
          Row r = rs.iterator().next();
          return conn.preparedQuery("INSERT INTO failed_jobs (integration_id, kind, payload, attempts, error_class, error) "
                  + "VALUES ($1, $2, $3, $4, $5, $6)")
              .execute(Tuple.of(r.getLong(0), r.getString(1), r.getValue(2), r.getInteger(3), errorClass, error)).mapEmpty();
        }));
  }

  /** Removes the job without a failure record (the integration is no longer syncable, e.g. needs reconnect). */
  public Future<Void> drop(Job job, String worker) {
    return pool.preparedQuery("DELETE FROM jobs WHERE id = $1 AND locked_by = $2").execute(Tuple.of(job.id(), worker)).mapEmpty();
  }

  /** Lets go of every job this worker holds (graceful shutdown): they become due again at once. */
  public Future<Integer> releaseAll(String worker) {
    return pool.preparedQuery("UPDATE jobs SET locked_by = NULL, locked_until = NULL, attempts = GREATEST(attempts - 1, 0) "
            + "WHERE locked_by = $1").execute(Tuple.of(worker)).map(rs -> rs.rowCount());
  }

  /** Extends the lease of jobs this worker holds. */
  public Future<Void> renew(String worker, int leaseSeconds) {
    return pool.preparedQuery("UPDATE jobs SET locked_until = now() + make_interval(secs => $2) WHERE locked_by = $1")
        .execute(Tuple.of(worker, (double) leaseSeconds)).mapEmpty();
  }

  public Future<JsonArray> listFailed(int limit) {
    return pool.preparedQuery("SELECT id, integration_id, kind, attempts, error_class, error, failed_at FROM failed_jobs "
            + "ORDER BY id DESC LIMIT $1")
        .execute(Tuple.of(limit)).map(rs -> {
          JsonArray out = new JsonArray();
          for (Row r : rs) {
            out.add(new JsonObject().put("id", r.getLong(0)).put("integrationId", r.getLong(1)).put("kind", r.getString(2))
                .put("attempts", r.getInteger(3)).put("errorClass", r.getString(4)).put("error", r.getString(5))
                .put("failedAt", r.getOffsetDateTime(6).toString()));
          }
          return out;
        });
  }

  /** Moves failed jobs back to the queue at manual priority; id null means all. Returns how many. */
  public Future<Integer> retryFailed(Long id) {
    String where = id == null ? "" : " WHERE id = $1";
    return pool.withTransaction(conn -> conn.preparedQuery("DELETE FROM failed_jobs" + where + " RETURNING integration_id, kind")
        .execute(id == null ? Tuple.tuple() : Tuple.of(id))
        .compose(rs -> {
          if (rs.size() == 0) return Future.succeededFuture(0);
          List<Long> ids = new ArrayList<>();
          for (Row r : rs) ids.add(r.getLong(0));
          Long[] arr = ids.stream().distinct().toArray(Long[]::new);
          return conn.preparedQuery("INSERT INTO jobs (integration_id, kind, priority) "
                  + "SELECT i, 'sync', " + PRIORITY_MANUAL + " FROM unnest($1::bigint[]) i "
                  + "WHERE EXISTS (SELECT 1 FROM user_integrations u WHERE u.id = i) "
                  + "ON CONFLICT (integration_id, kind) DO UPDATE SET priority = " + PRIORITY_MANUAL + ", "
                  + "available_at = LEAST(jobs.available_at, now())")
              .execute(Tuple.of((Object) arr)).map(x -> rs.size());
        }));
  }

  public Future<Integer> cleanupFailed(int olderThanDays) {
    return pool.preparedQuery("DELETE FROM failed_jobs WHERE failed_at < now() - make_interval(days => $1)")
        .execute(Tuple.of(olderThanDays)).map(rs -> rs.rowCount());
  }

  /** Queue depth, due now, running, failed, and the age in seconds of the oldest due job. */
  public Future<JsonObject> stats() {
    return pool.query("SELECT count(*), count(*) FILTER (WHERE available_at <= now() AND (locked_until IS NULL OR locked_until < now())), "
            + "count(*) FILTER (WHERE locked_until > now()), (SELECT count(*) FROM failed_jobs), "
            + "COALESCE(EXTRACT(EPOCH FROM now() - min(available_at) FILTER (WHERE available_at <= now() "
            + "AND (locked_until IS NULL OR locked_until < now()))), 0)::float8 FROM jobs")
        .execute().map(rs -> {
          Row r = rs.iterator().next();
          return new JsonObject().put("depth", r.getLong(0)).put("due", r.getLong(1)).put("running", r.getLong(2))
              .put("failed", r.getLong(3)).put("oldestDueSeconds", r.getDouble(4));
        });
  }
}
