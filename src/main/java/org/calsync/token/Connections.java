package org.calsync.token;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.calsync.audit.AuditEvent;
import org.calsync.bus.Addresses;
import org.calsync.bus.BusFailure;
import org.calsync.db.JobQueue;
import org.calsync.db.Notices;

/**
 * Stores a user's Google grant: a new integration, or new credentials for an existing one (reconnect). A reconnect
 * keeps the calendars, sync tokens and mirror, so syncing resumes where it stopped. Both audit and append an
 * integration.status notice in their transaction ({@link Notices}; the relay publishes {@link Addresses#INTEGRATION_STATUS}).
 */
public final class Connections {
  private final Vertx vertx;
  private final Pool pool;
  private final CredentialCipher cipher;
  private final String actor;

  public Connections(Vertx vertx, Pool pool, CredentialCipher cipher) {
    this(vertx, pool, cipher, "admin");
  }

  /** actor: who is recorded in the audit log (the CLI passes the operating-system user). */
  public Connections(Vertx vertx, Pool pool, CredentialCipher cipher, String actor) {
    this.actor = actor;
    this.vertx = vertx;
    this.pool = pool;
    this.cipher = cipher;
  }

  /** A new active integration holding the sealed refresh token; returns its id. */
  public Future<Long> connect(long userId, String email, String refreshToken) {
    requireToken(refreshToken);
    return pool.withTransaction(conn -> conn.preparedQuery(
            "INSERT INTO user_integrations (user_id, account_email) VALUES ($1, $2) RETURNING id")
        .execute(Tuple.of(userId, email))
        .compose(rs -> {
          long id = rs.iterator().next().getLong(0);
          byte[] sealed = cipher.seal(id, new JsonObject().put("refresh_token", refreshToken));
          return conn.preparedQuery("UPDATE user_integrations SET credentials = $2, key_id = $3 WHERE id = $1")
              .execute(Tuple.of(id, Buffer.buffer(sealed), cipher.activeKeyId()))
              .compose(x -> Notices.appendStatus(conn, id, userId, "active", "connected")).map(x -> id);
        }))
        .onSuccess(id -> audit(id, userId, "connected"));
  }

  /**
   * Replaces the credentials of an integration, makes it active and queues a manual sync. Ends any refresh lease, so a
   * refresh of the old grant still in flight stores nothing.
   */
  public Future<Void> reconnect(long integrationId, String refreshToken) {
    requireToken(refreshToken);
    byte[] sealed = cipher.seal(integrationId, new JsonObject().put("refresh_token", refreshToken));
    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE user_integrations SET credentials = $2, key_id = $3, "
                + "access_expires_at = NULL, status = 'active', status_reason = 'reconnected', status_changed_at = now(), "
                + "deferred_until = NULL, refresh_lease = NULL, refresh_lease_until = NULL, updated_at = now() "
                + "WHERE id = $1 AND status <> 'disconnected' RETURNING user_id")
            .execute(Tuple.of(integrationId, Buffer.buffer(sealed), cipher.activeKeyId()))
            .compose(rs -> {
              if (rs.size() == 0) return Future.failedFuture(BusFailure.notFound("integration " + integrationId
                  + " does not exist or was disconnected (connect a new one)"));
              long userId = rs.iterator().next().getLong(0);
              return Notices.appendStatus(conn, integrationId, userId, "active", "reconnected").map(userId);
            }))
        .compose(userId -> {
          audit(integrationId, userId, "reconnected");
          return new JobQueue(pool).enqueue(integrationId, JobQueue.PRIORITY_MANUAL, java.time.OffsetDateTime.now());
        })
        .onSuccess(v -> vertx.eventBus().publish(Addresses.JOBS_AVAILABLE, new JsonObject()));
  }

  private static void requireToken(String refreshToken) {
    if (refreshToken == null || refreshToken.isBlank() || refreshToken.length() > 4096) {
      throw new IllegalArgumentException("refresh token is missing or implausibly long");
    }
  }

  private void audit(long id, long userId, String reason) {
    new AuditEvent(actor, "integration." + reason, id, new JsonObject().put("userId", userId)).send(vertx.eventBus());
  }

}
