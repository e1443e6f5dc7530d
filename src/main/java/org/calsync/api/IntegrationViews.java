package org.calsync.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * Integrations as the API shows them: status, how they get tokens (authKind: oauth or delegated), last sync, last error
 * (the latest failed_jobs row). Never credentials.
 */
final class IntegrationViews {
  private static final String SELECT = "SELECT u.id, u.user_id, u.status, u.status_reason, u.status_changed_at, u.last_sync_at, "
      + "u.last_sync_status, (SELECT f.error FROM failed_jobs f WHERE f.integration_id = u.id ORDER BY f.failed_at DESC LIMIT 1), "
      + "u.failing_since, u.write_back, u.granted_scopes, u.auth_kind FROM user_integrations u ";
  private final Pool pool;

  IntegrationViews(Pool pool) {
    this.pool = pool;
  }

  /** All integrations, or those with the status (null: all), by id. */
  Future<JsonArray> list(String status) {
    return pool.preparedQuery(SELECT + "WHERE ($1::text IS NULL OR u.status = $1) ORDER BY u.id").execute(Tuple.of(status))
        .map(rs -> {
          JsonArray out = new JsonArray();
          for (Row r : rs) out.add(json(r));
          return out;
        });
  }

  /** One integration, or null. */
  Future<JsonObject> find(long id) {
    return pool.preparedQuery(SELECT + "WHERE u.id = $1").execute(Tuple.of(id))
        .map(rs -> rs.size() == 0 ? null : json(rs.iterator().next()));
  }

  private static JsonObject json(Row r) {
    return new JsonObject().put("id", r.getLong(0)).put("userId", r.getLong(1)).put("status", r.getString(2))
        .put("authKind", r.getString(11)).put("statusReason", r.getString(3)).put("statusChangedAt", Json.time(r.getOffsetDateTime(4)))
        .put("lastSyncAt", Json.time(r.getOffsetDateTime(5))).put("lastSyncStatus", r.getString(6))
        .put("lastError", r.getString(7)).put("failingSince", Json.time(r.getOffsetDateTime(8)))
        .put("writeBack", r.getBoolean(9)).put("grantedScopes", r.getString(10));
  }
}
