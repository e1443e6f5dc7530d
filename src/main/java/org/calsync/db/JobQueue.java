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
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.HashSet;
import java.util.Set;

/**
 * The durable queue in PostgreSQL ({@code jobs}, {@code failed_jobs}). At most one job per integration and kind:
 * enqueueing again raises the priority and pulls the due time forward, or, when the job is running, marks it to run
 * once more after. Scheduled and push enqueues never make a job due before its integration's
 * {@code deferred_until} (quotaExceeded); manual ones may. Claims take a lease ({@code locked_until}); a crashed
 * process's jobs are claimable when it lapses. Settling requires still holding the job ({@code locked_by}). Every
 * enqueue notifies {@link #CHANNEL}.
 */
public final class JobQueue {
  public static final int PRIORITY_SCHEDULED = 0;
  public static final int PRIORITY_PUSH = 5;
  public static final int PRIORITY_MANUAL = 10;

  /**
   * The PostgreSQL notification channel every enqueue notifies (in its own transaction, so it is delivered when the
   * jobs are visible): workers of every process listen on it (db/PgNotifications) and claim at once instead of at
   * their next poll. Payload empty.
   */
  public static final String CHANNEL = "calsync_jobs";

  /**
   * A claimed job. attempts counts this claim; calendars are the integration's busy calendars as of the claim;
   * rateLimited counts the consecutive earlier runs that ended rate limited (they do not count as attempts);
   * calendarListToken is the stored calendarList sync token, null when a full listing is due (none stored, or the last
   * full listing is older than {@link #FULL_LISTING_EVERY}); active: the integration's status was active at the claim;
   * calendarsCheckedAgo: seconds since calendarList last answered for the integration (null: never recorded).
   */
  public record Job(long id, long integrationId, String kind, int priority, int attempts, JsonObject payload,
                    List<Calendars.Calendar> calendars, int rateLimited, String calendarListToken, boolean active,
                    Double calendarsCheckedAgo) {
    public Job(long id, long integrationId, String kind, int priority, int attempts, JsonObject payload) {
      this(id, integrationId, kind, priority, attempts, payload, null, 0, null, false, null);
    }

    /**
     * Whether this sync must ask calendarList (rediscover the calendars) rather than sync the busy calendars read with
     * the claim: always for a manual sync, without a stored token (none, cleared after a calendar refused events.list,
     * or the daily full listing due), with minutes 0, or when the last check is minutes old or more.
     */
    public boolean calendarCheckDue(int minutes) {
      return minutes == 0 || priority >= PRIORITY_MANUAL || calendarListToken == null || calendars == null
          || calendarsCheckedAgo == null || calendarsCheckedAgo >= minutes * 60.0;
    }
  }

  /**
   * How often an integration's calendars get a full calendarList listing even when its sync token is accepted:
   * Google's sync token does not report an access role change alone.
   */
  public static final String FULL_LISTING_EVERY = "1 day";

  /**
   * A successful sync to settle in a batch: the job, its integration's summary, event sync tokens to store (by
   * calendar id), the calendarList sync token to store (null: none, the next sync lists fully) and whether this sync
   * made a full calendarList listing (it then counts as the integration's latest); calendarsChecked: calendarList
   * answered in this sync (its time is stored as the integration's last check).
   */
  public record Done(long jobId, long integrationId, JsonObject responseData, java.util.Map<Long, String> tokens,
                     String calendarListToken, boolean listedFully, boolean calendarsChecked) {
    public Done(long jobId, long integrationId, JsonObject responseData, java.util.Map<Long, String> tokens) {
      this(jobId, integrationId, responseData, tokens, null, false, false);
    }
  }

  /**
   * The one job upsert (arrays: integration id, kind, priority, available_at (null: now), payload as JSON text). A job
   * enqueued again keeps its row: the higher priority wins, the payload is merged over the waiting one's, the due time
   * moves forward (the earliest wins), and a running job is marked to run once more ({@code rerun}), due at the
   * earliest due time of the enqueues made while it ran (the once-more run starts when the job settles or then,
   * whichever is later). Integrations that do not exist or are paused are skipped; returns the ids enqueued.
   */
  private static final String UPSERT = "WITH up AS (INSERT INTO jobs (integration_id, kind, priority, available_at, payload) "
      + "SELECT x.i, x.k, x.p, CASE WHEN x.p >= " + PRIORITY_MANUAL + " THEN COALESCE(x.a, now()) "
      + "  ELSE GREATEST(COALESCE(x.a, now()), u.deferred_until) END, x.d::jsonb "
      + "FROM unnest($1::bigint[], $2::text[], $3::smallint[], $4::timestamptz[], $5::text[]) AS x(i, k, p, a, d) "
      + "JOIN user_integrations u ON u.id = x.i AND u.status <> 'paused' "
      + "ON CONFLICT (integration_id, kind) DO UPDATE SET "
      + "priority = GREATEST(jobs.priority, EXCLUDED.priority), payload = jobs.payload || EXCLUDED.payload, "
      + "available_at = CASE WHEN jobs.locked_until > now() AND NOT jobs.rerun THEN EXCLUDED.available_at "
      + "  ELSE LEAST(jobs.available_at, EXCLUDED.available_at) END, "
      + "rerun = jobs.rerun OR COALESCE(jobs.locked_until > now(), false) "
      + "RETURNING integration_id) "
      + "SELECT up.integration_id FROM up, (SELECT pg_notify('" + CHANNEL + "', '')) wake";

  /**
   * When a job counts as pending rather than settled: running, due within 5 minutes, or never tried. An integration is
   * settled when it has no pending job: its last run ended (done, failed, dropped) or it waits for a later retry.
   */
  private static final String PENDING = "(j.locked_until > now() OR j.available_at <= now() + interval '5 minutes' "
      + "OR j.last_error IS NULL)";

  private final Pool pool;

  public JobQueue(Pool pool) {
    this.pool = pool;
  }

  public Future<Void> enqueue(long integrationId, int priority, OffsetDateTime availableAt) {
    return enqueueAll(List.of(integrationId), Collections.singletonList(availableAt), priority);
  }

  /** The same upsert on a caller's connection (inside the caller's transaction). */
  public static Future<Void> enqueue(SqlClient client, long integrationId, int priority, OffsetDateTime availableAt) {
    return upsert(client, List.of(integrationId), Collections.singletonList(availableAt), priority, null).mapEmpty();
  }

  /** Bulk enqueue on a caller's connection (inside the caller's transaction); ids distinct, as {@link #enqueueAll}. */
  public static Future<Void> enqueueAll(SqlClient client, List<Long> ids, List<OffsetDateTime> availableAt, int priority) {
    return upsert(client, ids, availableAt, priority, null).mapEmpty();
  }

  /** Bulk enqueue (one statement); availableAt.get(i) belongs to ids.get(i) (null: now). */
  public Future<Void> enqueueAll(List<Long> ids, List<OffsetDateTime> availableAt, int priority) {
    return upsert(pool, ids, availableAt, priority, null).mapEmpty();
  }

  /** A manual-priority job due now with the payload merged over a waiting job's; false when the integration does not exist. */
  public Future<Boolean> enqueueManual(long integrationId, JsonObject payload) {
    return upsert(pool, List.of(integrationId), Collections.singletonList(null), PRIORITY_MANUAL, List.of(payload))
        .map(enqueued -> !enqueued.isEmpty());
  }

  private static Future<List<Long>> upsert(SqlClient client, List<Long> ids, List<OffsetDateTime> availableAt, int priority,
                                           List<JsonObject> payloads) {
    if (ids.isEmpty()) return Future.succeededFuture(List.of());
    int n = ids.size();
    String[] kinds = new String[n];
    Short[] prios = new Short[n];
    String[] data = new String[n];
    Arrays.fill(kinds, "sync");
    Arrays.fill(prios, (short) priority);
    for (int i = 0; i < n; i++) data[i] = payloads == null ? "{}" : payloads.get(i).encode();
    return client.preparedQuery(UPSERT)
        .execute(Tuple.of(ids.toArray(new Long[0]), kinds, prios, availableAt.toArray(new OffsetDateTime[0]), data))
        .map(rs -> {
          List<Long> out = new ArrayList<>(rs.size());
          for (Row r : rs) out.add(r.getLong(0));
          return out;
        });
  }

  /** Claims up to limit due jobs, highest priority first, skipping rows other processes hold. */
  public Future<List<Job>> claim(String worker, int limit, int leaseSeconds) {
    return claim(worker, limit, leaseSeconds, List.of(), null);
  }

  /**
   * Claims as {@link #claim(String, int, int)}, never one of the jobs in exclude (the caller's own still-running
   * jobs, whose lease may have lapsed) and, unless only is null, only jobs of the integrations in only.
   */
  public Future<List<Job>> claim(String worker, int limit, int leaseSeconds, Collection<Long> exclude, Collection<Long> only) {
    return pool.preparedQuery("UPDATE jobs j SET locked_by = $1, locked_until = now() + make_interval(secs => $2), "
            + "attempts = j.attempts + 1 FROM (SELECT id, integration_id FROM jobs WHERE (available_at <= now() "
            + "OR locked_until < now()) AND (locked_until IS NULL OR locked_until < now()) AND id <> ALL($4::bigint[]) "
            + "AND ($5::bigint[] IS NULL OR integration_id = ANY($5::bigint[])) ORDER BY priority DESC, available_at LIMIT $3 "
            + "FOR UPDATE SKIP LOCKED) due LEFT JOIN user_integrations u ON u.id = due.integration_id WHERE j.id = due.id "
            + "RETURNING j.id, j.integration_id, j.kind, j.priority, j.attempts, j.payload, "
            + "(SELECT json_agg(json_build_array(c.id, c.google_calendar_id, c.time_zone, c.sync_token) ORDER BY c.id) "
            + "FROM calendars c WHERE c.integration_id = j.integration_id AND c.busy), j.rate_limited, "
            + "CASE WHEN u.calendars_listed_at > now() - interval '" + FULL_LISTING_EVERY + "' THEN u.calendar_list_token END, u.status = 'active', "
            + "EXTRACT(EPOCH FROM now() - u.calendars_checked_at)::float8")
        .execute(Tuple.of(worker, (double) leaseSeconds, limit, exclude.toArray(new Long[0]),
            only == null ? null : only.toArray(new Long[0])))
        .map(rs -> {
          List<Job> jobs = new ArrayList<>(rs.size());
          for (Row r : rs) {
            Object p = r.getValue(5);
            jobs.add(new Job(r.getLong(0), r.getLong(1), r.getString(2), r.getInteger(3), r.getInteger(4),
                p instanceof JsonObject o ? o : new JsonObject(), calendars(r.getLong(1), r.getValue(6)), r.getInteger(7),
                r.getString(8), Boolean.TRUE.equals(r.getBoolean(9)), r.getDouble(10)));
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

  private static final String SETTLE_DONE = "WITH s AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], "
      + "  $7::text[], $8::boolean[], $9::boolean[]) AS s(job_id, integration_id, data, list_token, listed, checked)), "
      + "held AS (SELECT j.id, j.integration_id, j.rerun, s.data, s.list_token, s.listed, s.checked FROM jobs j "
      + "  JOIN s ON j.id = s.job_id "
      + "  AND j.integration_id = s.integration_id WHERE j.locked_by = $6 FOR UPDATE OF j), "
      // the held integrations as one array: joined row by row, the planner looped over every token per held job
      + "ct AS (UPDATE calendars c SET sync_token = t.token, last_sync_at = now() "
      + "  FROM unnest($4::bigint[], $5::text[]) AS t(calendar_id, token) "
      + "  WHERE c.id = t.calendar_id AND c.integration_id = ANY (ARRAY(SELECT integration_id FROM held))), "
      + "ui AS (UPDATE user_integrations u SET last_sync_at = now(), last_sync_status = 'ok', response_data = h.data::jsonb, "
      + "  failing_since = NULL, updated_at = now(), calendar_list_token = h.list_token, "
      + "  calendars_listed_at = CASE WHEN h.listed THEN now() ELSE u.calendars_listed_at END, "
      + "  calendars_checked_at = CASE WHEN h.checked THEN now() ELSE u.calendars_checked_at END "
      + "  FROM held h WHERE u.id = h.integration_id), "
      + "del AS (DELETE FROM jobs j USING held h WHERE j.id = h.id AND NOT h.rerun), "
      + "again AS (UPDATE jobs j SET rerun = false, locked_by = NULL, locked_until = NULL, attempts = 0, rate_limited = 0, "
      + "last_error = NULL, available_at = GREATEST(j.available_at, now()) FROM held h WHERE j.id = h.id AND h.rerun) "
      + "SELECT id FROM held";

  /**
   * Settles many successful syncs in one statement: for the jobs this worker still holds, stores their pending sync
   * tokens, calendarList sync token and calendarList check time, records last_sync_at and response_data, and completes the jobs: each is
   * removed, or released for one more run (due as the enqueues made while it ran asked, or now) when it was enqueued
   * again while running. A job another worker has taken over (lapsed lease) is left
   * untouched, its sync tokens included. All or nothing. Returns the ids of the jobs settled (those still held).
   */
  public Future<Set<Long>> completeAll(List<Done> done, String worker) {
    int n = done.size();
    Long[] jobIds = new Long[n];
    Long[] integrationIds = new Long[n];
    String[] data = new String[n];
    String[] listTokens = new String[n];
    Boolean[] listed = new Boolean[n];
    Boolean[] checked = new Boolean[n];
    List<Long> calIds = new ArrayList<>();
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Done d = done.get(i);
      jobIds[i] = d.jobId();
      integrationIds[i] = d.integrationId();
      data[i] = d.responseData().encode();
      listTokens[i] = d.calendarListToken();
      listed[i] = d.listedFully();
      checked[i] = d.calendarsChecked();
      d.tokens().forEach((cal, token) -> {
        calIds.add(cal);
        tokens.add(token);
      });
    }
    return pool.preparedQuery(SETTLE_DONE)
        .execute(Tuple.of(jobIds, integrationIds, data, calIds.toArray(new Long[0]), tokens.toArray(new String[0]), worker)
            .addArrayOfString(listTokens).addArrayOfBoolean(listed).addArrayOfBoolean(checked))
        .map(rs -> {
          Set<Long> settled = new HashSet<>();
          for (Row r : rs) settled.add(r.getLong(0));
          return settled;
        });
  }

  /**
   * Released to run again at now + delay, the attempt counted. Like every settle below, it returns whether this worker
   * still held the job and settled it; false: another worker holds it, nothing written.
   */
  public Future<Boolean> retry(Job job, String worker, long delayMillis, String error) {
    return release(job, worker, delayMillis, error, 0, false);
  }

  /** Released to run again at now + delay after a run that ended rate limited: the attempt is given back. */
  public Future<Boolean> retryRateLimited(Job job, String worker, long delayMillis, String error) {
    return release(job, worker, delayMillis, error, 1, true);
  }

  /**
   * Released to run again at now + delay, the attempt given back, and its integration deferred until then
   * ({@code deferred_until}: scheduled and push enqueues wait for it; quotaExceeded). One statement: a worker that no
   * longer holds the job defers nothing.
   */
  public Future<Boolean> defer(Job job, String worker, long delayMillis, String error) {
    return pool.preparedQuery("WITH j AS (" + RELEASE + " RETURNING integration_id, available_at) "
            + "UPDATE user_integrations u SET deferred_until = j.available_at FROM j WHERE u.id = j.integration_id")
        .execute(Tuple.of(job.id(), worker, error, delayMillis / 1000.0, 1, false)).map(rs -> rs.rowCount() > 0);
  }

  private static final String RELEASE = "UPDATE jobs SET locked_by = NULL, locked_until = NULL, last_error = $3, "
      + "available_at = now() + make_interval(secs => $4), attempts = attempts - $5, "
      + "rate_limited = CASE WHEN $6 THEN rate_limited + 1 ELSE 0 END WHERE id = $1 AND locked_by = $2";

  private Future<Boolean> release(Job job, String worker, long delayMillis, String error, int giveBack, boolean rateLimited) {
    return pool.preparedQuery(RELEASE)
        .execute(Tuple.of(job.id(), worker, error, delayMillis / 1000.0, giveBack, rateLimited)).map(rs -> rs.rowCount() > 0);
  }

  /**
   * Moves the job to failed_jobs with its error (one transaction: the job is never lost in between). Failures of the
   * same integration, kind and error class share one row: its occurrences count up and failed_at, error, payload and
   * attempts become the latest. The integration's last sync is recorded as status (last_sync_at, last_sync_status,
   * response_data {"error"}) and it is marked failing (failing_since) until a sync succeeds; when it was not failing
   * yet, a sync.failing notice is appended in the same transaction (once per failing period). A worker that no longer
   * holds the job writes nothing (false).
   */
  public Future<Boolean> fail(Job job, String worker, String errorClass, String error, String status) {
    return pool.withTransaction(conn -> conn.preparedQuery("DELETE FROM jobs WHERE id = $1 AND locked_by = $2 "
            + "RETURNING integration_id, kind, payload, attempts")
        .execute(Tuple.of(job.id(), worker))
        .compose(rs -> {
          if (rs.size() == 0) return Future.succeededFuture(false);
          Row r = rs.iterator().next();
          return conn.preparedQuery("INSERT INTO failed_jobs (integration_id, kind, payload, attempts, error_class, error) "
                  + "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (integration_id, kind, error_class) DO UPDATE SET "
                  + "occurrences = failed_jobs.occurrences + 1, failed_at = now(), error = EXCLUDED.error, "
                  + "payload = EXCLUDED.payload, attempts = EXCLUDED.attempts")
              .execute(Tuple.of(r.getLong(0), r.getString(1), r.getValue(2), r.getInteger(3), errorClass, error))
              .compose(v -> conn.preparedQuery("WITH old AS (SELECT id, failing_since FROM user_integrations WHERE id = $1 "
                  + "FOR UPDATE) UPDATE user_integrations u SET failing_since = COALESCE(u.failing_since, now()), "
                  + "last_sync_at = now(), last_sync_status = $2, response_data = $3, updated_at = now() FROM old "
                  + "WHERE u.id = old.id RETURNING old.failing_since IS NULL, u.user_id")
                  .execute(Tuple.of(r.getLong(0), status, new JsonObject().put("error", error))))
              .compose(marked -> {
                if (marked.size() == 0 || !marked.iterator().next().getBoolean(0)) return Future.succeededFuture();
                long integrationId = r.getLong(0);
                JsonObject payload = new JsonObject().put("integrationId", integrationId).put("errorClass", errorClass)
                    .put("error", error).put("attempts", r.getInteger(3)).put("at", java.time.Instant.now().toString());
                return Notices.append(conn, Notices.SYNC_FAILING, integrationId, marked.iterator().next().getLong(1), payload);
              })
              .map(true);
        }));
  }

  /** Removes the job without a failure record (the integration is no longer syncable, e.g. needs reconnect). */
  public Future<Boolean> drop(Job job, String worker) {
    return pool.preparedQuery("DELETE FROM jobs WHERE id = $1 AND locked_by = $2").execute(Tuple.of(job.id(), worker))
        .map(rs -> rs.rowCount() > 0);
  }

  /** Lets go of every job this worker holds (graceful shutdown): they become due again at once, attempt given back. */
  public Future<Integer> releaseAll(String worker) {
    return release(worker, null);
  }

  /** Lets go of the given jobs if this worker holds them, as {@link #releaseAll}. */
  public Future<Integer> release(String worker, Collection<Long> jobIds) {
    return pool.preparedQuery("UPDATE jobs SET locked_by = NULL, locked_until = NULL, attempts = GREATEST(attempts - 1, 0), "
            + "available_at = LEAST(available_at, now()) WHERE locked_by = $1 AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))")
        .execute(Tuple.of(worker, (Object) (jobIds == null ? null : jobIds.toArray(new Long[0])))).map(rs -> rs.rowCount());
  }

  /** A job's work was not written: another worker took the job over after this one's lease lapsed. */
  public static final class LeaseLost extends RuntimeException {
    public LeaseLost(long jobId) {
      super("job " + jobId + " is held by another worker now (this worker's lease lapsed); nothing written");
    }
  }

  /**
   * Inside conn's transaction: succeeds while worker still holds the job ({@code locked_by}, as the settle statements
   * check), keeping it held until the transaction ends (the row is share-locked: no other worker can claim it before
   * the commit); else fails with {@link LeaseLost}, so the caller's transaction rolls back and writes nothing.
   */
  public static Future<Void> held(SqlClient conn, long jobId, String worker) {
    return conn.preparedQuery("SELECT 1 FROM jobs WHERE id = $1 AND locked_by = $2 FOR KEY SHARE")
        .execute(Tuple.of(jobId, worker))
        .compose(rs -> rs.size() == 1 ? Future.<Void>succeededFuture() : Future.failedFuture(new LeaseLost(jobId)));
  }

  /** Extends the lease of the given jobs, of those this worker still holds. */
  public Future<Void> renew(String worker, Collection<Long> jobIds, int leaseSeconds) {
    return pool.preparedQuery("UPDATE jobs SET locked_until = now() + make_interval(secs => $2) "
            + "WHERE locked_by = $1 AND id = ANY($3::bigint[])")
        .execute(Tuple.of(worker, (double) leaseSeconds, jobIds.toArray(new Long[0]))).mapEmpty();
  }

  /**
   * Failed jobs, latest failure first: id, integrationId, kind, attempts, errorClass, error, failedAt (latest),
   * occurrences, firstFailedAt.
   */
  public Future<JsonArray> listFailed(int limit) {
    return pool.preparedQuery("SELECT id, integration_id, kind, attempts, error_class, error, failed_at, occurrences, "
            + "first_failed_at FROM failed_jobs ORDER BY failed_at DESC, id DESC LIMIT $1")
        .execute(Tuple.of(limit)).map(rs -> {
          JsonArray out = new JsonArray();
          for (Row r : rs) {
            out.add(new JsonObject().put("id", r.getLong(0)).put("integrationId", r.getLong(1)).put("kind", r.getString(2))
                .put("attempts", r.getInteger(3)).put("errorClass", r.getString(4)).put("error", r.getString(5))
                .put("failedAt", r.getOffsetDateTime(6).toString()).put("occurrences", r.getInteger(7))
                .put("firstFailedAt", r.getOffsetDateTime(8).toString()));
          }
          return out;
        });
  }

  /**
   * Moves failed jobs back to the queue at manual priority with their payload (the newest failure's, merged over a
   * waiting job's); id null means all. Returns how many failed jobs were moved.
   */
  public Future<Integer> retryFailed(Long id) {
    return pool.withTransaction(conn -> conn.preparedQuery("WITH f AS (DELETE FROM failed_jobs WHERE $1::bigint IS NULL "
            + "OR id = $1 RETURNING id, integration_id, kind, payload) "
            + "SELECT DISTINCT ON (integration_id, kind) integration_id, payload, (SELECT count(*) FROM f) FROM f "
            + "ORDER BY integration_id, kind, id DESC")
        .execute(Tuple.of(id)).compose(rs -> {
          List<Long> ids = new ArrayList<>();
          List<JsonObject> payloads = new ArrayList<>();
          long moved = 0;
          for (Row r : rs) {
            ids.add(r.getLong(0));
            payloads.add(r.getValue(1) instanceof JsonObject p ? p : new JsonObject());
            moved = r.getLong(2);
          }
          long count = moved;
          return upsert(conn, ids, Collections.nCopies(ids.size(), null), PRIORITY_MANUAL, payloads).map(v -> (int) count);
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

  /** Deletes the integration's pending and failed jobs (disconnect, inside its transaction); returns how many. */
  public static Future<Integer> eraseAll(SqlClient conn, long integrationId) {
    Tuple t = Tuple.of(integrationId);
    return conn.preparedQuery("DELETE FROM jobs WHERE integration_id = $1").execute(t)
        .compose(jobs -> conn.preparedQuery("DELETE FROM failed_jobs WHERE integration_id = $1").execute(t)
            .map(failed -> jobs.rowCount() + failed.rowCount()));
  }

  /**
   * Where an integration's syncs stand. lastSyncAt/lastSyncStatus/responseData: its last finished sync; failedError:
   * the newest failure since the given time; jobError: its waiting job's last error; pending: not settled (see
   * {@link #PENDING}).
   */
  public record Outcome(long integrationId, long userId, String status, OffsetDateTime lastSyncAt, String lastSyncStatus,
                        JsonObject responseData, String failedError, String jobError, boolean pending) {
    /** Settled, and its last sync succeeded at or after since. */
    public boolean syncedSince(OffsetDateTime since) {
      return !pending && "ok".equals(lastSyncStatus) && lastSyncAt != null && !lastSyncAt.isBefore(since);
    }
  }

  /** The outcomes of the given integrations (those that exist), by id; failures counted from since. */
  public Future<List<Outcome>> outcomes(Collection<Long> integrationIds, OffsetDateTime since) {
    return pool.preparedQuery("SELECT u.id, u.user_id, u.status, u.last_sync_at, u.last_sync_status, u.response_data, "
            + "(SELECT f.error FROM failed_jobs f WHERE f.integration_id = u.id AND f.failed_at >= $2 ORDER BY f.id DESC LIMIT 1), "
            + "(SELECT j.last_error FROM jobs j WHERE j.integration_id = u.id), "
            + "EXISTS (SELECT 1 FROM jobs j WHERE j.integration_id = u.id AND " + PENDING + ") "
            + "FROM user_integrations u WHERE u.id = ANY($1) ORDER BY u.id")
        .execute(Tuple.of(integrationIds.toArray(new Long[0]), since)).map(rs -> {
          List<Outcome> out = new ArrayList<>(rs.size());
          for (Row r : rs) {
            out.add(new Outcome(r.getLong(0), r.getLong(1), r.getString(2), r.getOffsetDateTime(3), r.getString(4),
                r.getValue(5) instanceof JsonObject d ? d : null, r.getString(6), r.getString(7), r.getBoolean(8)));
          }
          return out;
        });
  }
}
