package org.calsync.db;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Function;

/**
 * What an operator sees of integrations (the integrations list and show commands): status, calendars, last sync and
 * failures, push channels, pending appointment writes, the audit tail. Reads only; never credentials.
 */
public final class IntegrationDetails {
  /** The statuses an integration can have (V1, V16). */
  public static final List<String> STATUSES = List.of("active", "needs_reconnect", "paused", "disconnected");

  private static final int TAIL = 10;

  private final Pool pool;

  public IntegrationDetails(Pool pool) {
    this.pool = pool;
  }

  /**
   * One row per integration (status null: all), by id: id, userId, email, status, statusReason, statusChangedAt,
   * calendars, lastSyncAt, lastSyncStatus, lastErrorClass (the latest failed job's), failingSince.
   */
  public Future<JsonArray> list(String status) {
    return pool.preparedQuery(SUMMARY + "WHERE ($1::text IS NULL OR u.status = $1) ORDER BY u.id").execute(Tuple.of(status))
        .map(rs -> rows(rs, IntegrationDetails::summary));
  }

  private static final String SUMMARY = "SELECT u.id, u.user_id, u.account_email, u.status, u.status_reason, u.status_changed_at, "
      + "(SELECT count(*) FROM calendars c WHERE c.integration_id = u.id AND c.removed_at IS NULL), u.last_sync_at, u.last_sync_status, "
      + "(SELECT f.error_class FROM failed_jobs f WHERE f.integration_id = u.id ORDER BY f.failed_at DESC LIMIT 1), "
      + "u.failing_since, u.created_at, u.deferred_until FROM user_integrations u ";

  private static JsonObject summary(Row r) {
    return new JsonObject().put("id", r.getLong(0)).put("userId", r.getLong(1)).put("email", r.getString(2))
        .put("status", r.getString(3)).put("statusReason", r.getString(4)).put("statusChangedAt", time(r.getOffsetDateTime(5)))
        .put("calendars", r.getLong(6)).put("lastSyncAt", time(r.getOffsetDateTime(7))).put("lastSyncStatus", r.getString(8))
        .put("lastErrorClass", r.getString(9)).put("failingSince", time(r.getOffsetDateTime(10)))
        .put("createdAt", time(r.getOffsetDateTime(11))).put("deferredUntil", time(r.getOffsetDateTime(12)));
  }

  /**
   * One integration in full, or null: the summary plus the calendars of its calendar list (whether each counts as busy,
   * i.e. is synced and checked for conflicts, and which one receives written appointments), push channels still open,
   * pending appointment writes, failed jobs and the newest audit records.
   */
  public Future<JsonObject> show(long id) {
    Tuple one = Tuple.of(id);
    return pool.preparedQuery(SUMMARY + "WHERE u.id = $1").execute(one).compose(rs -> {
      if (rs.size() == 0) return Future.succeededFuture(null);
      JsonObject out = summary(rs.iterator().next());
      return pool.preparedQuery("SELECT c.id, c.google_calendar_id, c.is_primary, c.time_zone, c.last_sync_at, c.last_full_sync_at, "
              + "c.sync_token IS NOT NULL, (SELECT count(*) FROM calendar_events e WHERE e.calendar_id = c.id), "
              + "(SELECT count(*) FROM busy_blocks b WHERE b.calendar_id = c.id AND b.end_at > now()), c.busy, c.write_target, "
              + "c.access_role, c.summary FROM calendars c WHERE c.integration_id = $1 AND c.removed_at IS NULL ORDER BY c.id").execute(one)
          .map(c -> out.put("calendarList", rows(c, r -> new JsonObject().put("id", r.getLong(0)).put("googleId", r.getString(1))
              .put("primary", r.getBoolean(2)).put("timeZone", r.getString(3)).put("lastSyncAt", time(r.getOffsetDateTime(4)))
              .put("lastFullSyncAt", time(r.getOffsetDateTime(5))).put("incremental", r.getBoolean(6))
              .put("countsAsBusy", r.getBoolean(9)).put("writeTarget", r.getBoolean(10)).put("accessRole", r.getString(11))
              .put("summary", r.getString(12)).put("events", r.getLong(7)).put("busyBlocksAhead", r.getLong(8)))))
          .compose(v -> pool.preparedQuery("SELECT p.id, c.google_calendar_id, p.expires_at, p.created_at FROM push_channels p "
              + "JOIN calendars c ON c.id = p.calendar_id WHERE c.integration_id = $1 AND p.stopped_at IS NULL ORDER BY p.expires_at")
              .execute(one))
          .map(p -> out.put("channels", rows(p, r -> new JsonObject().put("id", r.getString(0)).put("calendar", r.getString(1))
              .put("expiresAt", time(r.getOffsetDateTime(2))).put("openedAt", time(r.getOffsetDateTime(3))))))
          .compose(v -> pool.preparedQuery("SELECT id, status, start_at, version, written_version, write_attempts, last_write_error, "
              + "write_failed_at FROM appointments WHERE integration_id = $1 AND version > written_version ORDER BY start_at")
              .execute(one))
          .map(a -> out.put("pendingWrites", rows(a, r -> new JsonObject().put("appointmentId", r.getString(0))
              .put("status", r.getString(1)).put("start", time(r.getOffsetDateTime(2))).put("version", r.getLong(3))
              .put("writtenVersion", r.getLong(4)).put("attempts", r.getInteger(5)).put("lastError", r.getString(6))
              .put("failedAt", time(r.getOffsetDateTime(7))))))
          .compose(v -> pool.preparedQuery("SELECT error_class, occurrences, first_failed_at, failed_at, error FROM failed_jobs "
              + "WHERE integration_id = $1 ORDER BY failed_at DESC LIMIT " + TAIL).execute(one))
          .map(f -> out.put("recentFailures", rows(f, r -> new JsonObject().put("errorClass", r.getString(0))
              .put("occurrences", r.getInteger(1)).put("firstFailedAt", time(r.getOffsetDateTime(2)))
              .put("lastFailedAt", time(r.getOffsetDateTime(3))).put("error", r.getString(4)))))
          .compose(v -> pool.preparedQuery("SELECT at, actor, action, detail FROM audit_log WHERE integration_id = $1 "
              + "ORDER BY id DESC LIMIT " + TAIL).execute(one))
          .map(a -> out.put("auditTail", rows(a, r -> new JsonObject().put("at", time(r.getOffsetDateTime(0)))
              .put("actor", r.getString(1)).put("action", r.getString(2)).put("detail", r.getString(3)))));
    });
  }

  private static JsonArray rows(RowSet<Row> rs, Function<Row, JsonObject> f) {
    JsonArray out = new JsonArray();
    for (Row r : rs) out.add(f.apply(r));
    return out;
  }

  private static String time(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }
}
