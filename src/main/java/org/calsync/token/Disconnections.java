package org.calsync.token;

import org.calsync.audit.AuditEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import org.calsync.bus.Addresses;
import org.calsync.bus.BusFailure;
import org.calsync.db.JobQueue;
import org.calsync.db.Notices;
import org.calsync.google.Google;
import org.calsync.google.OAuthException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disconnect (GDPR erasure) of one integration, without holding a pooled connection or row lock during Google calls:
 * <ol>
 *   <li>takes the integration's refresh lease (whoever held it), so no token refresh of this grant runs meanwhile;</li>
 *   <li>stops its live push channels at Google ({@link ChannelStops}), while a token can still do it;</li>
 *   <li>revokes the grant at Google's revoke endpoint;</li>
 *   <li>erases our copy in one short transaction whatever steps 2 and 3 did: credentials and account email set to NULL,
 *       calendars (and with them the mirrored events and push channel rows) deleted, pending and failed jobs deleted,
 *       status 'disconnected', lease ended.</li>
 * </ol>
 * The integration.status notice appended with the erasure ({@link Addresses#INTEGRATION_STATUS} on the bus, published by
 * the relay of every process) tells the other components. The audit record holds ids and counts
 * only. Running it again on a disconnected integration erases again (idempotent) and reports it.
 */
public final class Disconnections {
  private static final Logger log = LoggerFactory.getLogger(Disconnections.class);

  /**
   * What a disconnect did. revoke: "revoked", "failed: <error code>" or "skipped: <why>". channels: stopped at Google
   * (or already unknown there); channelsNotStopped: live channels left to lapse at their expiry.
   */
  public record Result(long integrationId, String revoke, long calendars, long events, long jobs, long channels,
                       long channelsNotStopped) {
    public JsonObject toJson() {
      return new JsonObject().put("integrationId", integrationId).put("status", "disconnected").put("revoke", revoke)
          .put("calendarsErased", calendars).put("eventsErased", events).put("jobsErased", jobs).put("channelsStopped", channels)
          .put("channelsNotStopped", channelsNotStopped);
    }
  }

  private final Vertx vertx;
  private final Pool pool;
  private final CredentialCipher cipher;
  private final Google google;
  private final RefreshLeases leases;
  private final ChannelStops channelStops;

  public Disconnections(Vertx vertx, Pool pool, CredentialCipher cipher, Google google) {
    this.vertx = vertx;
    this.pool = pool;
    this.cipher = cipher;
    this.google = google;
    this.leases = new RefreshLeases(pool);
    this.channelStops = new ChannelStops(pool, google);
  }

  /** Fails with {@link BusFailure} NOT_FOUND when the integration does not exist. */
  public Future<Result> disconnect(long integrationId, String actor) {
    long leaseSeconds = 3 * ((google.config().requestTimeoutMs() + 999) / 1000) + TokenVerticle.LEASE_MARGIN_SECONDS;
    UUID lease = UUID.randomUUID();
    return leases.takeOver(integrationId, lease, leaseSeconds).compose(row -> {
      if (row == null) return Future.failedFuture(BusFailure.notFound("integration " + integrationId + " does not exist"));
      JsonObject creds = open(row);
      Future<Erased> erased = channelStops.stopAll(integrationId, creds, row.accessExpiresAt())
          .compose(stops -> revoke(integrationId, row.sealed() == null, creds, stops)
              .compose(revoke -> pool.withTransaction(conn -> erase(conn, integrationId, revoke, stops)
                  .compose(e -> audited(conn, e, integrationId, actor)))));
      // nothing erased: give the lease back so token requests need not wait for it to lapse
      return erased.recover(err -> leases.release(integrationId, lease).transform(x -> Future.<Erased>failedFuture(err)));
    }).onSuccess(e -> {
      Result r = e.result;
      log.atInfo().setMessage("integration disconnected").addKeyValue("integration", r.integrationId())
          .addKeyValue("revoke", r.revoke()).addKeyValue("calendarsErased", r.calendars()).addKeyValue("eventsErased", r.events())
          .addKeyValue("jobsErased", r.jobs()).addKeyValue("channelsStopped", r.channels())
          .addKeyValue("channelsNotStopped", r.channelsNotStopped()).log();
    }).map(e -> e.result);
  }

  private record Erased(Result result, long userId, boolean transitioned) {
  }

  /** The erasure's audit record and (on the transition) its integration.status notice, in its transaction. */
  private static Future<Erased> audited(SqlConnection conn, Erased e, long integrationId, String actor) {
    return new AuditEvent(actor, "integration.disconnected", integrationId,
        e.result.toJson().put("userId", e.userId).put("alreadyDisconnected", !e.transitioned)).append(conn)
        .compose(v -> e.transitioned ? Notices.appendStatus(conn, integrationId, e.userId, "disconnected", "disconnected")
            : Future.succeededFuture())
        .map(e);
  }

  private JsonObject open(RefreshLeases.Snapshot row) {
    if (row.sealed() == null) return null;
    try {
      return cipher.open(row.id(), row.keyId(), row.sealed());
    } catch (IllegalStateException e) {
      return null;
    }
  }

  /** The refresh token when there is one, else the newest access token (all a delegated integration holds). */
  private Future<String> revoke(long id, boolean nothingStored, JsonObject creds, ChannelStops.Result stops) {
    if (nothingStored) return Future.succeededFuture("skipped: no credentials stored");
    if (creds == null) return Future.succeededFuture("skipped: credentials unreadable");
    String token = stops.refreshToken() != null && !stops.refreshToken().isEmpty() ? stops.refreshToken() : stops.accessToken();
    if (token == null || token.isEmpty()) return Future.succeededFuture("skipped: no token stored");
    return google.oauth().revoke(token).transform(ar -> {
      if (ar.succeeded()) return Future.succeededFuture("revoked");
      String code = ar.cause() instanceof OAuthException oe ? oe.error() : ar.cause().getClass().getSimpleName();
      log.atWarn().setMessage("revoking the grant at Google failed; erasing our copy anyway").addKeyValue("integration", id)
          .addKeyValue("error", code).log();
      return Future.succeededFuture("failed: " + code);
    });
  }

  private Future<Erased> erase(SqlConnection conn, long id, String revoke, ChannelStops.Result stops) {
    Tuple t = Tuple.of(id);
    return conn.preparedQuery("SELECT user_id, status FROM user_integrations WHERE id = $1 FOR UPDATE").execute(t)
        .compose(before -> {
          long userId = before.iterator().next().getLong(0);
          boolean transitioned = !"disconnected".equals(before.iterator().next().getString(1));
          return conn.preparedQuery("DELETE FROM calendar_events WHERE calendar_id IN "
                  + "(SELECT id FROM calendars WHERE integration_id = $1)").execute(t)
              .compose(events -> conn.preparedQuery("DELETE FROM calendars WHERE integration_id = $1").execute(t)
              .compose(cals -> JobQueue.eraseAll(conn, id)
              .compose(jobs -> conn.preparedQuery("UPDATE user_integrations SET credentials = NULL, key_id = NULL, "
                      + "access_expires_at = NULL, account_email = NULL, google_sub = NULL, response_data = NULL, deferred_until = NULL, "
                      + "refresh_lease = NULL, refresh_lease_until = NULL, "
                      + "status = 'disconnected', status_reason = 'disconnected', "
                      + "status_changed_at = CASE WHEN status = 'disconnected' THEN status_changed_at ELSE now() END, "
                      + "updated_at = now() WHERE id = $1").execute(t)
              .map(v -> new Erased(new Result(id, revoke, cals.rowCount(), events.rowCount(), jobs, stops.stopped(),
                  stops.notStopped()), userId, transitioned)))));
        });
  }
}
