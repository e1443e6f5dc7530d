package org.calsync.token;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.function.Function;
import org.calsync.audit.AuditEvent;
import org.calsync.bus.Addresses;
import org.calsync.bus.BusFailure;
import org.calsync.db.JobQueue;
import org.calsync.db.Notices;

/**
 * Stores a user's Google grant: a new integration, or new credentials for an existing one (reconnect). An integration is
 * 'oauth' (a refresh token: handed in by an administrator, or from the consent flow with its Google account and granted
 * scopes, {@link Grant}) or 'delegated' (Workspace domain-wide delegation, {@link DelegatedGrant};
 * user_integrations.auth_kind). A reconnect keeps the calendars, sync tokens and mirror, so syncing resumes where it
 * stopped. Both append their audit record and an integration.status notice in their transaction ({@link Notices}; the
 * relay publishes {@link Addresses#INTEGRATION_STATUS}).
 */
public final class Connections {
  private final Vertx vertx;
  private final Pool pool;
  private final CredentialCipher cipher;
  private final String actor;

  public Connections(Vertx vertx, Pool pool, CredentialCipher cipher) {
    this(vertx, pool, cipher, "admin");
  }

  /** actor: who is recorded in the audit log (the CLI passes the operating-system user, the consent flow "consent"). */
  public Connections(Vertx vertx, Pool pool, CredentialCipher cipher, String actor) {
    this.actor = actor;
    this.vertx = vertx;
    this.pool = pool;
    this.cipher = cipher;
  }

  /**
   * What an OAuth grant brings: the refresh token, and from the consent flow the Google account (ID token sub and
   * e-mail), the granted scopes and whether they allow writing (null sub/scopes: a token handed in by an administrator).
   */
  public record Grant(String refreshToken, String sub, String email, String scopes, boolean writeBack) {
    /** A refresh token handed in by an administrator (the connect command): account and scopes unknown. */
    public static Grant administered(String email, String refreshToken) {
      return new Grant(refreshToken, null, email, null, true);
    }

    JsonObject auditDetail(long userId) {
      JsonObject d = new JsonObject().put("userId", userId);
      if (sub != null) d.put("googleSub", sub).put("email", email).put("scopes", scopes).put("writeBack", writeBack);
      return d;
    }

    /** Whether an integration's stored account (sub, else e-mail) is this grant's; true when nothing is known. */
    boolean sameAccount(String storedSub, String storedEmail) {
      if (sub == null) return true;
      if (storedSub != null) return storedSub.equals(sub);
      return storedEmail == null || storedEmail.equalsIgnoreCase(email);
    }

    @Override
    public String toString() {
      return "Grant[sub=" + sub + ", email=" + email + ", scopes=" + scopes + ", writeBack=" + writeBack + "]";
    }
  }

  /** The consent came from another Google account than the integration's; nothing was changed. */
  public static final class WrongAccount extends RuntimeException {
    WrongAccount(long integrationId) {
      super("the Google account that consented is not the one of integration " + integrationId, null, false, false);
    }
  }

  /** A new active integration holding the sealed refresh token; returns its id. */
  public Future<Long> connect(long userId, String email, String refreshToken) {
    return connect(userId, Grant.administered(email, refreshToken));
  }

  /** A new active integration for the grant (its account and scopes stored with it); returns its id. */
  public Future<Long> connect(long userId, Grant grant) {
    requireToken(grant.refreshToken());
    return insert(userId, grant, "oauth", new JsonObject().put("refresh_token", grant.refreshToken()));
  }

  /**
   * A new active delegated integration (Google Workspace domain-wide delegation) impersonating email: no refresh
   * token; the token verticle mints its access tokens with the service account key. Returns its id.
   */
  public Future<Long> connectDelegated(long userId, String email) {
    return insert(userId, new Grant(null, null, email, null, true), "delegated", DelegatedGrant.credentials(email));
  }

  private Future<Long> insert(long userId, Grant grant, String kind, JsonObject credentials) {
    return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO user_integrations (user_id, account_email, "
                + "auth_kind, google_sub, granted_scopes, write_back) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .execute(Tuple.of(userId, grant.email(), kind, grant.sub(), grant.scopes(), grant.writeBack()))
        .compose(rs -> {
          long id = rs.iterator().next().getLong(0);
          byte[] sealed = cipher.seal(id, credentials);
          return conn.preparedQuery("UPDATE user_integrations SET credentials = $2, key_id = $3 WHERE id = $1")
              .execute(Tuple.of(id, Buffer.buffer(sealed), cipher.activeKeyId()))
              .compose(x -> Notices.appendStatus(conn, id, userId, "active", "connected"))
              .compose(x -> new AuditEvent(actor, "integration.connected", id, grant.auditDetail(userId)).append(conn))
              .map(x -> id);
        }));
  }

  /**
   * Replaces the credentials of an integration, makes it active (a paused one stays paused) and queues a manual sync.
   * Ends any refresh lease, so a refresh of the old grant still in flight stores nothing.
   */
  public Future<Void> reconnect(long integrationId, String refreshToken) {
    return reconnect(integrationId, Grant.administered(null, refreshToken));
  }

  /**
   * {@link #reconnect(long, String)} for a grant. A consent grant (sub set) must come from the integration's Google
   * account: the stored sub, or else the stored e-mail (case-insensitive), must match, otherwise nothing changes and the
   * future fails with {@link WrongAccount}. Its account and scopes replace the stored ones.
   */
  public Future<Void> reconnect(long integrationId, Grant grant) {
    requireToken(grant.refreshToken());
    return reconnect(integrationId, "oauth", email -> new JsonObject().put("refresh_token", grant.refreshToken()), grant);
  }

  /**
   * Makes the integration a delegated one impersonating its stored account e-mail, active again (after the Workspace
   * administrator restored the delegation), as {@link #reconnect(long, String)} does.
   */
  public Future<Void> reconnectDelegated(long integrationId) {
    return reconnect(integrationId, "delegated", DelegatedGrant::credentials, null);
  }

  private Future<Void> reconnect(long integrationId, String kind, Function<String, JsonObject> credentials, Grant grant) {
    boolean consent = grant != null && grant.sub() != null;
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT account_email, google_sub FROM user_integrations "
                + "WHERE id = $1 AND status <> 'disconnected' FOR UPDATE").execute(Tuple.of(integrationId))
            .compose(found -> {
              if (found.size() == 0) return Future.failedFuture(BusFailure.notFound("integration " + integrationId
                  + " does not exist or was disconnected (connect a new one)"));
              Row stored = found.iterator().next();
              if (consent && !grant.sameAccount(stored.getString(1), stored.getString(0))) {
                return Future.failedFuture(new WrongAccount(integrationId));
              }
              JsonObject creds;
              try {
                creds = credentials.apply(stored.getString(0));
              } catch (IllegalArgumentException e) {
                return Future.failedFuture(BusFailure.badRequest("integration " + integrationId + ": " + e.getMessage()));
              }
              Tuple args = Tuple.of(integrationId, Buffer.buffer(cipher.seal(integrationId, creds)), cipher.activeKeyId(), kind);
              if (consent) args.addString(grant.sub()).addString(grant.email()).addString(grant.scopes()).addBoolean(grant.writeBack());
              return conn.preparedQuery("UPDATE user_integrations SET credentials = $2, key_id = $3, auth_kind = $4, "
                      + (consent ? "google_sub = $5, account_email = $6, granted_scopes = $7, write_back = $8, " : "")
                      + "access_expires_at = NULL, status = CASE WHEN status = 'paused' THEN status ELSE 'active' END, "
                      + "status_reason = 'reconnected', status_changed_at = now(), "
                      + "deferred_until = NULL, refresh_lease = NULL, refresh_lease_until = NULL, updated_at = now() "
                      + "WHERE id = $1 RETURNING user_id, status")
                  .execute(args);
            })
            .compose(rs -> {
              long userId = rs.iterator().next().getLong(0);
              String status = rs.iterator().next().getString(1);
              JsonObject detail = grant != null ? grant.auditDetail(userId) : new JsonObject().put("userId", userId);
              return Notices.appendStatus(conn, integrationId, userId, status, "reconnected")
                  .compose(x -> new AuditEvent(actor, "integration.reconnected", integrationId, detail).append(conn));
            }))
        .compose(v -> new JobQueue(pool).enqueue(integrationId, JobQueue.PRIORITY_MANUAL, java.time.OffsetDateTime.now()))
        .onSuccess(v -> vertx.eventBus().publish(Addresses.JOBS_AVAILABLE, new JsonObject()));
  }

  /**
   * The refresh token stored for the integration, or null when there is none (delegated) or it cannot be opened (sealed
   * with a key that is no longer configured). Never log it.
   */
  public Future<String> storedRefreshToken(long integrationId) {
    return pool.preparedQuery("SELECT key_id, credentials FROM user_integrations WHERE id = $1").execute(Tuple.of(integrationId))
        .map(rs -> {
          if (rs.size() == 0 || rs.iterator().next().getBuffer(1) == null) return null;
          var r = rs.iterator().next();
          try {
            return cipher.open(integrationId, r.getString(0), r.getBuffer(1).getBytes()).getString("refresh_token");
          } catch (IllegalStateException unreadable) {
            return null;
          }
        });
  }

  private static void requireToken(String refreshToken) {
    if (refreshToken == null || refreshToken.isBlank() || refreshToken.length() > 4096) {
      throw new IllegalArgumentException("refresh token is missing or implausibly long");
    }
  }
}
