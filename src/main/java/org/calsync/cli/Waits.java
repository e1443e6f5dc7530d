package org.calsync.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Waits, by polling the database, until the given integrations have no pending job left (running, due within 5
 * minutes, or never tried), or until a deadline, then reports each. An integration still pending at the deadline is
 * reported with {@code "timedOut": true}; its job stays queued.
 */
final class Waits {
  /** The default bound of the commands' --timeout, in seconds. */
  static final String DEFAULT_TIMEOUT_SECONDS = "900";

  private static final String PENDING = "(j.locked_until > now() OR j.available_at <= now() + interval '5 minutes' "
      + "OR j.last_error IS NULL)";

  private Waits() {
  }

  static Future<JsonArray> settled(Vertx vertx, Pool pool, List<Long> ids, OffsetDateTime since, long timeoutSeconds) {
    return poll(vertx, pool, ids.toArray(new Long[0]), since, System.currentTimeMillis() + timeoutSeconds * 1000);
  }

  private static Future<JsonArray> poll(Vertx vertx, Pool pool, Long[] ids, OffsetDateTime since, long deadline) {
    return pool.preparedQuery("SELECT count(*) FROM jobs j WHERE j.integration_id = ANY($1) AND " + PENDING)
        .execute(Tuple.of((Object) ids)).compose(rs -> {
          if (rs.iterator().next().getLong(0) == 0) return report(pool, ids, since, false);
          if (System.currentTimeMillis() >= deadline) return report(pool, ids, since, true);
          return vertx.timer(250).compose(v -> poll(vertx, pool, ids, since, deadline));
        });
  }

  static Future<JsonArray> report(Pool pool, Long[] ids, OffsetDateTime since, boolean expired) {
    return pool.preparedQuery("SELECT u.id, u.user_id, u.status, u.last_sync_at, u.last_sync_status, u.response_data, "
            + "(SELECT f.error FROM failed_jobs f WHERE f.integration_id = u.id AND f.failed_at >= $2 ORDER BY f.id DESC LIMIT 1), "
            + "(SELECT j.last_error FROM jobs j WHERE j.integration_id = u.id), "
            + "EXISTS (SELECT 1 FROM jobs j WHERE j.integration_id = u.id AND " + PENDING + ") "
            + "FROM user_integrations u WHERE u.id = ANY($1) ORDER BY u.id")
        .execute(Tuple.of(ids, since)).map(rs -> {
          JsonArray out = new JsonArray();
          for (Row r : rs) {
            OffsetDateTime last = r.getOffsetDateTime(3);
            boolean fresh = last != null && !last.isBefore(since);
            JsonObject o = new JsonObject().put("integrationId", r.getLong(0)).put("userId", r.getLong(1))
                .put("status", r.getString(2)).put("lastSyncAt", last == null ? null : last.toString())
                .put("lastSyncStatus", fresh ? r.getString(4) : (r.getString(6) != null ? "failed" : r.getString(7) != null ? "retrying" : "not_synced"));
            Object data = r.getValue(5);
            if (fresh && data instanceof JsonObject d) o.put("result", d);
            if (r.getString(6) != null) o.put("error", r.getString(6));
            else if (r.getString(7) != null) o.put("error", r.getString(7));
            if (expired && r.getBoolean(8)) o.put("timedOut", true);
            out.add(o);
          }
          return out;
        });
  }
}
