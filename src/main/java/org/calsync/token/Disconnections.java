package org.calsync.token;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import org.calsync.bus.Addresses;
import org.calsync.db.Integrations;
import org.calsync.google.OAuthClient;
import org.calsync.google.OAuthException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disconnect (GDPR erasure) of one integration. Under the integration's row lock (so no token refresh runs meanwhile):
 * revokes the grant at Google's revoke endpoint, then erases our copy whatever the revoke did: credentials and account
 * email set to NULL, calendars (and with them the mirrored events and push channel rows) deleted, pending and failed
 * jobs deleted, status 'disconnected'. Live push channels are marked stopped first and counted; the
 * {@link Addresses#INTEGRATION_STATUS} publish tells the push component. The audit record holds ids and counts only.
 * Running it again on a disconnected integration erases again (idempotent) and reports it.
 */
public final class Disconnections {
  private static final Logger log = LoggerFactory.getLogger(Disconnections.class);

  /** What a disconnect did. revoke: "revoked", "failed: <error code>" or "skipped: <why>". */
  public record Result(long integrationId, String revoke, long calendars, long events, long jobs, long channels) {
    public JsonObject toJson() {
      return new JsonObject().put("integrationId", integrationId).put("status", "disconnected").put("revoke", revoke)
          .put("calendarsErased", calendars).put("eventsErased", events).put("jobsErased", jobs).put("channelsStopped", channels);
    }
  }

  private final Vertx vertx;
  private final Pool pool;
  private final CredentialCipher cipher;
  private final OAuthClient oauth;

  public Disconnections(Vertx vertx, Pool pool, CredentialCipher cipher, OAuthClient oauth) {
    this.vertx = vertx;
    this.pool = pool;
    this.cipher = cipher;
    this.oauth = oauth;
  }

  /** Fails with IllegalArgumentException when the integration does not exist. */
  public Future<Result> disconnect(long integrationId, String actor) {
    long[] userId = new long[1];
    boolean[] transitioned = new boolean[1];
    return pool.withTransaction(conn -> Integrations.lockCredentials(conn, integrationId).compose(row -> {
      if (row == null) return Future.failedFuture(new IllegalArgumentException("integration " + integrationId + " does not exist"));
      userId[0] = row.userId();
      transitioned[0] = !"disconnected".equals(row.status());
      return revoke(row).compose(revoke -> erase(conn, integrationId, revoke));
    })).onSuccess(r -> {
      log.info("integration disconnected integration={} revoke={} calendarsErased={} eventsErased={} jobsErased={} channelsStopped={}",
          r.integrationId(), r.revoke(), r.calendars(), r.events(), r.jobs(), r.channels());
      if (transitioned[0]) {
        vertx.eventBus().publish(Addresses.INTEGRATION_STATUS, new JsonObject().put("integrationId", integrationId)
            .put("userId", userId[0]).put("status", "disconnected").put("reason", "disconnected").put("at", Instant.now().toString()));
      }
      vertx.eventBus().send(Addresses.AUDIT_RECORD, new JsonObject().put("actor", actor).put("action", "integration.disconnected")
          .put("integrationId", integrationId).put("detail", r.toJson().put("userId", userId[0]).put("alreadyDisconnected", !transitioned[0])));
    });
  }

  private Future<String> revoke(Integrations.Credentials row) {
    if (row.sealed() == null) return Future.succeededFuture("skipped: no credentials stored");
    String token;
    try {
      JsonObject creds = cipher.open(row.id(), row.keyId(), row.sealed());
      token = creds.getString("refresh_token", creds.getString("access_token"));
    } catch (IllegalStateException e) {
      return Future.succeededFuture("skipped: credentials unreadable");
    }
    if (token == null || token.isEmpty()) return Future.succeededFuture("skipped: no token stored");
    return oauth.revoke(token).transform(ar -> {
      if (ar.succeeded()) return Future.succeededFuture("revoked");
      String code = ar.cause() instanceof OAuthException oe ? oe.error() : ar.cause().getClass().getSimpleName();
      log.warn("revoking the grant at Google failed integration={} error={}; erasing our copy anyway", row.id(), code);
      return Future.succeededFuture("failed: " + code);
    });
  }

  private Future<Result> erase(SqlConnection conn, long id, String revoke) {
    Tuple t = Tuple.of(id);
    return conn.preparedQuery("UPDATE push_channels SET stopped_at = now() WHERE stopped_at IS NULL AND calendar_id IN "
            + "(SELECT id FROM calendars WHERE integration_id = $1)").execute(t)
        .compose(channels -> conn.preparedQuery("DELETE FROM calendar_events WHERE calendar_id IN "
            + "(SELECT id FROM calendars WHERE integration_id = $1)").execute(t)
        .compose(events -> conn.preparedQuery("DELETE FROM calendars WHERE integration_id = $1").execute(t)
        .compose(cals -> conn.preparedQuery("DELETE FROM jobs WHERE integration_id = $1").execute(t)
        .compose(jobs -> conn.preparedQuery("DELETE FROM failed_jobs WHERE integration_id = $1").execute(t)
        .compose(failed -> conn.preparedQuery("UPDATE user_integrations SET credentials = NULL, key_id = NULL, "
                + "access_expires_at = NULL, account_email = NULL, response_data = NULL, deferred_until = NULL, "
                + "status = 'disconnected', status_reason = 'disconnected', "
                + "status_changed_at = CASE WHEN status = 'disconnected' THEN status_changed_at ELSE now() END, "
                + "updated_at = now() WHERE id = $1").execute(t)
        .map(v -> new Result(id, revoke, cals.rowCount(), events.rowCount(), jobs.rowCount() + failed.rowCount(),
            channels.rowCount())))))));
  }
}
