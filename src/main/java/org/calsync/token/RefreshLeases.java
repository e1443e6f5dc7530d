package org.calsync.token;

import io.vertx.core.json.JsonObject;
import org.calsync.audit.AuditEvent;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.calsync.config.ConsentConfig;
import org.calsync.db.Notices;

/**
 * SQL of the refresh lease (user_integrations.refresh_lease, V6). Every method is one statement on the pool: no row
 * lock or connection is held while Google is called. A lease is taken only over the credentials the caller read
 * (unchanged since), so a refresh that another process completed meanwhile is never repeated; results are stored
 * only while the lease is still the caller's (reconnect and disconnect clear it).
 */
final class RefreshLeases {
  /** The token path's view of an integration. leased: another holder's lease has not lapsed. */
  record Snapshot(long id, long userId, String status, byte[] sealed, String keyId, OffsetDateTime accessExpiresAt,
                  boolean leased, boolean delegated) {
  }

  private final Pool pool;
  private final ConsentConfig consent;

  /** With consent.enabled, a move to needs_reconnect also creates a reconnect link and puts it in the notice. */
  RefreshLeases(Pool pool, ConsentConfig consent) {
    this.pool = pool;
    this.consent = consent != null && consent.enabled() ? consent : null;
  }

  RefreshLeases(Pool pool) {
    this(pool, null);
  }


  Future<Snapshot> read(long id) {
    return pool.preparedQuery("SELECT id, user_id, status, credentials, key_id, access_expires_at, "
            + "COALESCE(refresh_lease_until > now(), false), auth_kind = 'delegated' FROM user_integrations WHERE id = $1")
        .execute(Tuple.of(id)).map(RefreshLeases::snapshot);
  }

  /** The integration's status, or null when there is no such row. */
  Future<String> status(long id) {
    return pool.preparedQuery("SELECT status FROM user_integrations WHERE id = $1").execute(Tuple.of(id))
        .map(rs -> rs.size() == 0 ? null : rs.iterator().next().getString(0));
  }

  /** True when the lease is now ours: still active, credentials as read, no live lease of someone else. */
  Future<Boolean> acquire(long id, UUID lease, byte[] seen, long seconds) {
    return pool.preparedQuery("UPDATE user_integrations SET refresh_lease = $2, "
            + "refresh_lease_until = now() + make_interval(secs => $4) WHERE id = $1 AND status = 'active' "
            + "AND credentials = $3 AND (refresh_lease_until IS NULL OR refresh_lease_until <= now())")
        .execute(Tuple.of(id, lease, Buffer.buffer(seen), (double) seconds))
        .map(rs -> rs.rowCount() == 1);
  }

  /** Takes the lease whoever holds it (disconnect); returns the snapshot taken, or null when there is no such row. */
  Future<Snapshot> takeOver(long id, UUID lease, long seconds) {
    return pool.preparedQuery("UPDATE user_integrations SET refresh_lease = $2, "
            + "refresh_lease_until = now() + make_interval(secs => $3) WHERE id = $1 "
            + "RETURNING id, user_id, status, credentials, key_id, access_expires_at, false, auth_kind = 'delegated'")
        .execute(Tuple.of(id, lease, (double) seconds)).map(RefreshLeases::snapshot);
  }

  private static Snapshot snapshot(RowSet<Row> rs) {
    if (rs.size() == 0) return null;
    Row r = rs.iterator().next();
    return new Snapshot(r.getLong(0), r.getLong(1), r.getString(2), r.getBuffer(3) == null ? null : r.getBuffer(3).getBytes(),
        r.getString(4), r.getOffsetDateTime(5), r.getBoolean(6), r.getBoolean(7));
  }

  /** Stores refreshed credentials and ends the lease; false when the lease was lost (nothing stored). */
  Future<Boolean> store(long id, UUID lease, byte[] sealed, String keyId, OffsetDateTime accessExpiresAt) {
    return pool.preparedQuery("UPDATE user_integrations SET credentials = $3, key_id = $4, access_expires_at = $5, "
            + "refresh_lease = NULL, refresh_lease_until = NULL, updated_at = now() "
            + "WHERE id = $1 AND refresh_lease = $2 AND status = 'active'")
        .execute(Tuple.of(id, lease, Buffer.buffer(sealed), keyId, accessExpiresAt))
        .map(rs -> rs.rowCount() == 1);
  }

  /**
   * Moves the integration to needs_reconnect and ends the lease, with its audit record and integration.status notice in
   * the same transaction. Returns
   * the user id, or null when the lease was lost (the credentials changed meanwhile, e.g. a reconnect, so the refused
   * grant is no longer the stored one).
   */
  Future<Long> needsReconnect(long id, UUID lease, String reason) {
    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE user_integrations SET status = 'needs_reconnect', "
            + "status_reason = $3, status_changed_at = now(), updated_at = now(), refresh_lease = NULL, refresh_lease_until = NULL "
            + "WHERE id = $1 AND refresh_lease = $2 AND status = 'active' RETURNING user_id, account_email, auth_kind")
        .execute(Tuple.of(id, lease, reason))
        .compose(rs -> {
          if (rs.size() == 0) return Future.succeededFuture(null);
          long userId = rs.iterator().next().getLong(0);
          return new AuditEvent("token", "integration.needs_reconnect", id,
                  new JsonObject().put("reason", reason).put("userId", userId)).append(conn)
              .compose(v -> needsReconnectNotice(conn, id, userId, rs.iterator().next().getString(1),
                  "delegated".equals(rs.iterator().next().getString(2)), reason))
              .map(v -> userId);
        }));
  }

  /**
   * The needs_reconnect notice; with consent enabled it carries a fresh reconnect link (reconnectUrl, reconnectExpiresAt)
   * for the EMR to e-mail, created in the same transaction (not for a delegated integration: its administrator restores
   * the delegation).
   */
  private Future<Long> needsReconnectNotice(SqlConnection conn, long id, long userId, String email, boolean delegated,
                                            String reason) {
    JsonObject payload = Notices.integrationStatus(id, userId, "needs_reconnect", reason);
    if (consent == null || delegated) return Notices.append(conn, Notices.INTEGRATION_STATUS, id, userId, payload);
    return ConnectLinks.create(conn, userId, id, email, null, consent.linkTtl())
        .compose(link -> Notices.append(conn, Notices.INTEGRATION_STATUS, id, userId, payload
            .put("reconnectUrl", consent.publicBaseUrl() + "/connect/" + link.token())
            .put("reconnectExpiresAt", link.expiresAt().toInstant().toString())));
  }

  /** Ends the lease if it is still ours. */
  Future<Void> release(long id, UUID lease) {
    return pool.preparedQuery("UPDATE user_integrations SET refresh_lease = NULL, refresh_lease_until = NULL "
            + "WHERE id = $1 AND refresh_lease = $2")
        .execute(Tuple.of(id, lease)).mapEmpty();
  }
}
