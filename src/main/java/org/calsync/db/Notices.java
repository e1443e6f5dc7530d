package org.calsync.db;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The outbox ({@code notices}, V12): every notice for the EMR is appended with {@link #append} inside the transaction
 * of the change that causes it, whichever process or command makes the change, so a notice exists exactly when its
 * change committed. Appends hold a transaction advisory lock until commit, so ids become visible in increasing order
 * and a reader that has seen id n never later finds a smaller one: the id is the cursor of the pull API. Each append
 * sends {@code NOTIFY calsync_notices} (delivered at commit) to wake the relays (notices.NoticeRelay).
 */
public final class Notices {
  /** The LISTEN/NOTIFY channel; the payload is the new notice's id. */
  public static final String CHANNEL = "calsync_notices";

  /** Notice types; each is published on the bus at "calsync." + type (bus/Addresses documents the bodies). */
  public static final String INTEGRATION_STATUS = "integration.status";
  public static final String BOOKING_CONFLICT = "booking.conflict";
  public static final String APPOINTMENT_OVERRIDDEN = "appointment.overridden";
  public static final String APPOINTMENT_WRITE_FAILED = "appointment.write_failed";
  public static final String SYNC_FAILING = "sync.failing";

  private static final long APPEND_LOCK = 0x6361_6c73_0012L;

  /** One stored notice; payload is the bus body of its type. */
  public record Notice(long id, String type, Long integrationId, Long userId, JsonObject payload, OffsetDateTime createdAt) {
    /** The notice as the pull API and the webhook carry it: {"id", "type", "createdAt", "integrationId", "userId",
     * "appointmentId", "data"}; data is the bus body. */
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("type", type).put("createdAt", createdAt.toInstant().toString())
          .put("integrationId", integrationId).put("userId", userId)
          .put("appointmentId", payload.getValue("appointmentId") instanceof String a ? a : null).put("data", payload);
    }
  }

  private Notices() {
  }

  /** Appends a notice inside conn's transaction (call it in the transaction of the change); returns its id. */
  public static Future<Long> append(SqlConnection conn, String type, Long integrationId, Long userId, JsonObject payload) {
    return conn.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(APPEND_LOCK))
        .compose(v -> conn.preparedQuery("WITH n AS (INSERT INTO notices (type, integration_id, user_id, payload) "
                + "VALUES ($1, $2, $3, $4) RETURNING id) SELECT id, pg_notify($5, id::text) FROM n")
            .execute(Tuple.of(type, integrationId, userId, payload, CHANNEL)))
        .map(rs -> rs.iterator().next().getLong(0));
  }

  /**
   * The {@link #INTEGRATION_STATUS} body (the one builder of it): {"integrationId", "userId", "status", "reason", "at"}.
   */
  public static JsonObject integrationStatus(long integrationId, long userId, String status, String reason) {
    return new JsonObject().put("integrationId", integrationId).put("userId", userId).put("status", status)
        .put("reason", reason).put("at", Instant.now().toString());
  }

  /** Appends an {@link #INTEGRATION_STATUS} notice in conn's transaction. */
  public static Future<Long> appendStatus(SqlConnection conn, long integrationId, long userId, String status, String reason) {
    return append(conn, INTEGRATION_STATUS, integrationId, userId, integrationStatus(integrationId, userId, status, reason));
  }

  /** Appends a notice about an integration (user looked up in the same statement's transaction). */
  public static Future<Long> appendFor(SqlConnection conn, String type, long integrationId, JsonObject payload) {
    return conn.preparedQuery("SELECT user_id FROM user_integrations WHERE id = $1").execute(Tuple.of(integrationId))
        .compose(rs -> append(conn, type, integrationId, rs.size() == 0 ? null : rs.iterator().next().getLong(0), payload));
  }

  /** The newest id (0 when there is none): where a relay starts. */
  public static Future<Long> newest(SqlClient db) {
    return db.preparedQuery("SELECT COALESCE(max(id), 0) FROM notices").execute()
        .map(rs -> rs.iterator().next().getLong(0));
  }

  /** Up to limit notices after the cursor, in id order. */
  public static Future<List<Notice>> after(SqlClient db, long cursor, int limit) {
    return db.preparedQuery("SELECT id, type, integration_id, user_id, payload, created_at FROM notices WHERE id > $1 "
            + "ORDER BY id LIMIT $2")
        .execute(Tuple.of(cursor, limit)).map(rs -> {
          List<Notice> out = new ArrayList<>(rs.size());
          for (Row r : rs) out.add(notice(r));
          return out;
        });
  }

  static Notice notice(Row r) {
    Object payload = r.getValue(4);
    return new Notice(r.getLong(0), r.getString(1), r.getLong(2), r.getLong(3),
        payload instanceof JsonObject o ? o : new JsonObject(String.valueOf(payload)), r.getOffsetDateTime(5));
  }

  /** The notices as a JSON array (pull API). */
  public static JsonArray json(List<Notice> notices) {
    JsonArray a = new JsonArray();
    for (Notice n : notices) a.add(n.toJson());
    return a;
  }

  // ---- webhook delivery (notices.webhookUrl; notices.WebhookSender)

  /** A claimed notice and how many delivery attempts it has had, this one included. */
  public record Claimed(Notice notice, int attempt) {
  }

  /**
   * Claims up to limit due pending notices for delivery (FOR UPDATE SKIP LOCKED, so processes never claim the same
   * row): their next_attempt_at moves leaseSeconds ahead (a claim that is never settled is retried then) and attempts
   * goes up.
   */
  public static Future<List<Claimed>> claim(Pool pool, int limit, double leaseSeconds) {
    return pool.preparedQuery("UPDATE notices n SET next_attempt_at = now() + make_interval(secs => $2), "
            + "attempts = n.attempts + 1 FROM (SELECT id FROM notices WHERE status = 'pending' AND next_attempt_at <= now() "
            + "ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) due WHERE n.id = due.id "
            + "RETURNING n.id, n.type, n.integration_id, n.user_id, n.payload, n.created_at, n.attempts")
        .execute(Tuple.of(limit, leaseSeconds)).map(rs -> {
          List<Claimed> out = new ArrayList<>(rs.size());
          for (Row r : rs) out.add(new Claimed(notice(r), r.getInteger(6)));
          out.sort(java.util.Comparator.comparingLong(c -> c.notice().id()));
          return out;
        });
  }

  /** The receiver took the notice (2xx). */
  public static Future<Void> delivered(Pool pool, long id) {
    return pool.preparedQuery("UPDATE notices SET status = 'delivered', delivered_at = now(), last_error = NULL "
            + "WHERE id = $1 AND status = 'pending'").execute(Tuple.of(id)).mapEmpty();
  }

  /** The attempt failed: retried after retryInSeconds, or dead when retryInSeconds is null (the schedule ended). */
  public static Future<Void> attemptFailed(Pool pool, long id, String error, Double retryInSeconds) {
    return pool.preparedQuery("UPDATE notices SET last_error = $2, status = CASE WHEN $3::float8 IS NULL THEN 'dead' "
            + "ELSE 'pending' END, next_attempt_at = now() + make_interval(secs => COALESCE($3::float8, 0)) "
            + "WHERE id = $1 AND status = 'pending'").execute(Tuple.of(id, error, retryInSeconds)).mapEmpty();
  }

  /**
   * Delivery figures: {"newestId", "pending", "dead", "oldestPendingSeconds" (0 when none), "deadNotices": [the latest
   * few dead ones: id, type, integrationId, attempts, lastError, createdAt]}.
   */
  public static Future<JsonObject> stats(SqlClient db, int deadListed) {
    // each part on its own index (primary key, the partial pending and dead indexes): no scan of delivered rows
    return db.query("SELECT (SELECT COALESCE(max(id), 0) FROM notices), "
            + "(SELECT count(*) FROM notices WHERE status = 'pending'), (SELECT count(*) FROM notices WHERE status = 'dead'), "
            + "(SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 FROM notices WHERE status = 'pending')")
        .execute()
        .compose(rs -> {
          Row r = rs.iterator().next();
          JsonObject out = new JsonObject().put("newestId", r.getLong(0)).put("pending", r.getLong(1)).put("dead", r.getLong(2))
              .put("oldestPendingSeconds", r.getDouble(3));
          return db.preparedQuery("SELECT id, type, integration_id, attempts, last_error, created_at FROM notices "
                  + "WHERE status = 'dead' ORDER BY id DESC LIMIT $1").execute(Tuple.of(deadListed))
              .map(dead -> {
                JsonArray list = new JsonArray();
                for (Row d : dead) {
                  list.add(new JsonObject().put("id", d.getLong(0)).put("type", d.getString(1))
                      .put("integrationId", d.getLong(2)).put("attempts", d.getInteger(3)).put("lastError", d.getString(4))
                      .put("createdAt", d.getOffsetDateTime(5).toInstant().toString()));
                }
                return out.put("deadNotices", list);
              });
        });
  }
}
