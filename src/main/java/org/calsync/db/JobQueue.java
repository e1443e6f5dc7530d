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

  /** A claimed job. attempts counts this claim; calendars are the integration's calendar rows as of the claim. */
  public record Job(long id, long integrationId, String kind, int priority, int attempts, JsonObject payload,
                    List<Calendars.Calendar> calendars) {
    public Job(long id, long integrationId, String kind, int priority, int attempts, JsonObject payload) {
      this(id, integrationId, kind, priority, attempts, payload, null);
    }
  }

  /** A successful sync to settle in a batch: the job, its integration's summary, sync tokens to store. */
  public record Done(long jobId, long integrationId, JsonObject responseData, java.util.Map<Long, String> tokens) {
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
            + "RETURNING j.id, j.integration_id, j.kind, j.priority, j.attempts, j.payload, "
            + "(SELECT json_agg(json_build_array(c.id, c.google_calendar_id, c.time_zone, c.sync_token) ORDER BY c.id) "
            + "FROM calendars c WHERE c.integration_id = j.integration_id)")
        .execute(Tuple.of(worker, (double) leaseSeconds, limit))
        .map(rs -> {
          List<Job> jobs = new ArrayList<>(rs.size());
          for (Row r : rs) {
            Object p = r.getValue(5);
            jobs.add(new Job(r.getLong(0), r.getLong(1), r.getString(2), r.getInteger(3), r.getInteger(4),
                p instanceof JsonObject o ? o : new JsonObject(), calendars(r.getLong(1), r.getValue(6))));
          }
          return jobs;
        });
  }

  private static List<Calendars.Calendar> calendars(long integrationId, Object agg) {
    List<Calendars.Calendar> out = new ArrayList<>();
    if (agg instanceof JsonArray rows) {
      for (Object o : rows) {
        JsonArray c = (JsonArray) o;
        out.add(new Calendars.Calendar(c.getLong(0), integrationId, c.getString(1), c.getString(2), c.getString(3)));
      }
    }
    return out;
  }

  private static final String SETTLE_DONE = "WITH s AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[]) "
      + "  AS s(job_id, integration_id, data)), "
      + "t AS (SELECT * FROM unnest($4::bigint[], $5::text[]) AS t(calendar_id, token)), "
      + "ct AS (UPDATE calendars c SET sync_token = t.token, last_sync_at = now() FROM t WHERE c.id = t.calendar_id), "
      + "ui AS (UPDATE user_integrations u SET last_sync_at = now(), last_sync_status = 'ok', response_data = s.data::jsonb, "
      + "  updated_at = now() FROM s WHERE u.id = s.integration_id), "
      + "del AS (DELETE FROM jobs j USING s WHERE j.id = s.job_id AND j.locked_by = $6 AND NOT j.rerun) "
      + "UPDATE jobs j SET rerun = false, locked_by = NULL, locked_until = NULL, attempts = 0, last_error = NULL, "
      + "available_at = now() FROM s WHERE j.id = s.job_id AND j.locked_by = $6 AND j.rerun";

  /**
   * Settles many successful syncs in one statement: stores their pending sync tokens, records last_sync_at and
   * response_data, and completes the jobs: each is removed, or released for one more run when it was enqueued again
   * while running. All or nothing.
   */
  public Future<Void> completeAll(List<Done> done, String worker) {
    int n = done.size();
    Long[] jobIds = new Long[n];
    Long[] integrationIds = new Long[n];
    String[] data = new String[n];
    List<Long> calIds = new ArrayList<>();
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Done d = done.get(i);
      jobIds[i] = d.jobId();
      integrationIds[i] = d.integrationId();
      data[i] = d.responseData().encode();
      d.tokens().forEach((cal, token) -> {
        calIds.add(cal);
        tokens.add(token);
      });
    }
    return pool.preparedQuery(SETTLE_DONE)
        .execute(Tuple.of(jobIds, integrationIds, data, calIds.toArray(new Long[0]), tokens.toArray(new String[0]), worker))
        .mapEmpty();
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
