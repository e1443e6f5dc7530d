package org.calsync.token;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.function.Function;
import org.calsync.audit.AuditEvent;
import org.calsync.bus.Addresses;
import org.calsync.bus.BusFailure;
import org.calsync.db.JobQueue;
import org.calsync.db.Notices;

/**
 * Stores a user's Google grant: a new integration, or new credentials for an existing one (reconnect). An integration is
 * 'oauth' (a refresh token) or 'delegated' (Workspace domain-wide delegation, {@link DelegatedGrant}; user_integrations.auth_kind). A reconnect
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
    return connect(userId, email, "oauth", new JsonObject().put("refresh_token", refreshToken));
  }

  /**
   * A new active delegated integration (Google Workspace domain-wide delegation) impersonating email: no refresh
   * token; the token verticle mints its access tokens with the service account key. Returns its id.
   */
  public Future<Long> connectDelegated(long userId, String email) {
    return connect(userId, email, "delegated", DelegatedGrant.credentials(email));
  }

  private Future<Long> connect(long userId, String email, String kind, JsonObject credentials) {
    return pool.withTransaction(conn -> conn.preparedQuery(
            "INSERT INTO user_integrations (user_id, account_email, auth_kind) VALUES ($1, $2, $3) RETURNING id")
        .execute(Tuple.of(userId, email, kind))
        .compose(rs -> {
          long id = rs.iterator().next().getLong(0);
          byte[] sealed = cipher.seal(id, credentials);
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
    return reconnect(integrationId, "oauth", email -> new JsonObject().put("refresh_token", refreshToken));
  }

  /**
   * Makes the integration a delegated one impersonating its stored account e-mail, active again (after the Workspace
   * administrator restored the delegation), as {@link #reconnect(long, String)} does.
   */
  public Future<Void> reconnectDelegated(long integrationId) {
    return reconnect(integrationId, "delegated", DelegatedGrant::credentials);
  }

  private Future<Void> reconnect(long integrationId, String kind, Function<String, JsonObject> credentials) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT account_email FROM user_integrations "
                + "WHERE id = $1 AND status <> 'disconnected' FOR UPDATE").execute(Tuple.of(integrationId))
            .compose(found -> {
              if (found.size() == 0) return Future.failedFuture(BusFailure.notFound("integration " + integrationId
                  + " does not exist or was disconnected (connect a new one)"));
              JsonObject creds;
              try {
                creds = credentials.apply(found.iterator().next().getString(0));
              } catch (IllegalArgumentException e) {
                return Future.failedFuture(BusFailure.badRequest("integration " + integrationId + ": " + e.getMessage()));
              }
              return conn.preparedQuery("UPDATE user_integrations SET credentials = $2, key_id = $3, auth_kind = $4, "
                      + "access_expires_at = NULL, status = 'active', status_reason = 'reconnected', status_changed_at = now(), "
                      + "deferred_until = NULL, refresh_lease = NULL, refresh_lease_until = NULL, updated_at = now() "
                      + "WHERE id = $1 RETURNING user_id")
                  .execute(Tuple.of(integrationId, Buffer.buffer(cipher.seal(integrationId, creds)), cipher.activeKeyId(), kind));
            })
            .compose(rs -> {
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
