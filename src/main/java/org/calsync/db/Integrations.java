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

/** SQL for user_integrations. */
public final class Integrations {
  private final Pool pool;

  public Integrations(Pool pool) {
    this.pool = pool;
  }

  public Pool pool() {
    return pool;
  }

  /**
   * Moves the integration to a new status if it is not there yet. Returns the user id when a transition happened, or
   * null when it already had that status (so callers notify exactly once).
   */
  public static Future<Long> transition(SqlClient conn, long id, String status, String reason) {
    return conn.preparedQuery("UPDATE user_integrations SET status = $2, status_reason = $3, status_changed_at = now(), "
            + "updated_at = now() WHERE id = $1 AND status <> $2 RETURNING user_id")
        .execute(Tuple.of(id, status, reason))
        .map(rs -> rs.size() == 0 ? null : rs.iterator().next().getLong(0));
  }

  /** The newest integration of the user's Google account (e-mail case-insensitive) that is not disconnected, or null. */
  public Future<Long> findAccount(long userId, String email) {
    return pool.preparedQuery("SELECT id FROM user_integrations WHERE user_id = $1 AND lower(account_email) = lower($2) "
            + "AND status <> 'disconnected' ORDER BY id DESC LIMIT 1").execute(Tuple.of(userId, email))
        .map(rs -> rs.size() == 0 ? null : rs.iterator().next().getLong(0));
  }

  /** The integration's status, or null when it does not exist. */
  public Future<String> status(long id) {
    return pool.preparedQuery("SELECT status FROM user_integrations WHERE id = $1").execute(Tuple.of(id))
        .map(rs -> rs.size() == 0 ? null : rs.iterator().next().getString(0));
  }

  public Future<List<Long>> activeIds(Long userId) {
    String sql = "SELECT id FROM user_integrations WHERE status = 'active' "
        + "AND (deferred_until IS NULL OR deferred_until <= now())" + (userId == null ? "" : " AND user_id = $1") + " ORDER BY id";
    return pool.preparedQuery(sql).execute(userId == null ? Tuple.tuple() : Tuple.of(userId)).map(rs -> {
      List<Long> ids = new ArrayList<>(rs.size());
      for (Row r : rs) ids.add(r.getLong(0));
      return ids;
    });
  }

  public Future<JsonObject> countsByStatus() {
    return countsBy("status");
  }

  /** Integrations that are not disconnected, by how they get tokens: {"oauth": n, "delegated": n} (absent when 0). */
  public Future<JsonObject> countsByAuthKind() {
    return countsBy("auth_kind");
  }

  private Future<JsonObject> countsBy(String column) {
    String where = column.equals("status") ? "" : "WHERE status <> 'disconnected' ";
    return pool.query("SELECT " + column + ", count(*) FROM user_integrations " + where + "GROUP BY 1").execute().map(rs -> {
      JsonObject o = new JsonObject();
      for (Row r : rs) o.put(r.getString(0), r.getLong(1));
      return o;
    });
  }

  /**
   * Seconds since the least recently synced active, non-deferred integration last synced successfully (its calendars'
   * last_sync_at, which only successful syncs set; one never synced counts from created_at); 0 when there is none.
   * Unlike the queue's oldest due job, this keeps growing when nothing is enqueued at all.
   */
  public Future<Double> oldestSyncAgeSeconds() {
    return pool.query("SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(COALESCE(c.synced, u.created_at))), 0)::float8 "
            + "FROM user_integrations u LEFT JOIN LATERAL (SELECT CASE WHEN bool_and(last_sync_at IS NOT NULL) "
            + "THEN min(last_sync_at) END AS synced FROM calendars WHERE integration_id = u.id AND busy) c ON true "
            + "WHERE u.status = 'active' AND (u.deferred_until IS NULL OR u.deferred_until <= now())")
        .execute().map(rs -> rs.iterator().next().getDouble(0));
  }

  /**
   * Integrations whose latest sync outcome was recorded at or after since: {"synced": n, "failed": n} (failed
   * includes refused mass deletions).
   */
  public Future<JsonObject> outcomesSince(OffsetDateTime since) {
    return pool.preparedQuery("SELECT count(*) FILTER (WHERE last_sync_status = 'ok'), "
            + "count(*) FILTER (WHERE last_sync_status IN ('failed', 'refused')) FROM user_integrations WHERE last_sync_at >= $1")
        .execute(Tuple.of(since)).map(rs -> {
          Row r = rs.iterator().next();
          return new JsonObject().put("synced", r.getLong(0)).put("failed", r.getLong(1));
        });
  }

  /**
   * Active integrations whose syncs keep failing (failing_since set by a job moved to failed_jobs, cleared by the next
   * successful sync): {"count": n, "integrations": [{integrationId, failingSince, errorClass, occurrences, error}]},
   * the longest failing first, up to limit listed, each with its latest failure.
   */
  public Future<JsonObject> failing(int limit) {
    return pool.preparedQuery("SELECT u.id, u.failing_since, f.error_class, f.occurrences, f.error, count(*) OVER (), u.auth_kind "
            + "FROM user_integrations u LEFT JOIN LATERAL (SELECT error_class, occurrences, error FROM failed_jobs "
            + "WHERE integration_id = u.id ORDER BY failed_at DESC LIMIT 1) f ON true "
            + "WHERE u.failing_since IS NOT NULL AND u.status = 'active' ORDER BY u.failing_since, u.id LIMIT $1")
        .execute(Tuple.of(limit)).map(rs -> {
          JsonArray list = new JsonArray();
          long count = 0;
          for (Row r : rs) {
            count = r.getLong(5);
            list.add(new JsonObject().put("integrationId", r.getLong(0)).put("authKind", r.getString(6)).put("failingSince", r.getOffsetDateTime(1).toString())
                .put("errorClass", r.getString(2)).put("occurrences", r.getInteger(3)).put("error", r.getString(4)));
          }
          return new JsonObject().put("count", count).put("integrations", list);
        });
  }

  /** How many active integrations are failing (see {@link #failing}). */
  public Future<Long> failingCount() {
    return pool.query("SELECT count(*) FROM user_integrations WHERE failing_since IS NOT NULL AND status = 'active'")
        .execute().map(rs -> rs.iterator().next().getLong(0));
  }

  /**
   * Whether appointments may be written to the integration's calendar: false when the consent granted read access
   * only (V13 write_back). An unknown integration counts as writable (callers check existence themselves).
   */
  public Future<Boolean> writeBack(long id) {
    return pool.preparedQuery("SELECT write_back FROM user_integrations WHERE id = $1").execute(Tuple.of(id))
        .map(rs -> rs.size() == 0 || rs.iterator().next().getBoolean(0));
  }

  /**
   * The integration a request names: by integrationId (any status), or else the user's newest one that is not
   * disconnected. Null when none matches.
   */
  public Future<Long> find(Long integrationId, Long userId) {
    String sql = integrationId != null ? "SELECT id FROM user_integrations WHERE id = $1"
        : "SELECT id FROM user_integrations WHERE user_id = $1 AND status <> 'disconnected' ORDER BY id DESC LIMIT 1";
    return pool.preparedQuery(sql).execute(Tuple.of(integrationId != null ? integrationId : userId))
        .map(rs -> rs.size() == 0 ? null : rs.iterator().next().getLong(0));
  }
}
