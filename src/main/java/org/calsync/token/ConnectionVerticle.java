package org.calsync.token;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.calsync.bus.Addresses;
import org.calsync.bus.BusFailure;
import org.calsync.bus.Messages;
import org.calsync.bus.Requests.Disconnect;
import org.calsync.bus.Requests.Reconnect;
import org.calsync.config.CalsyncConfig;
import org.calsync.google.Google;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link Addresses#INTEGRATION_RECONNECT} and {@link Addresses#INTEGRATION_DISCONNECT} (see there for the
 * contracts), delegating to {@link Connections#reconnect} and {@link Disconnections#disconnect}.
 */
public final class ConnectionVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(ConnectionVerticle.class);

  private final CalsyncConfig config;
  private final Pool pool;
  private final CredentialCipher cipher;
  private final Google google;
  private Connections connections;
  private Disconnections disconnections;

  public ConnectionVerticle(CalsyncConfig config, Pool pool, CredentialCipher cipher, Google google) {
    this.config = config;
    this.pool = pool;
    this.cipher = cipher;
    this.google = google;
  }

  @Override
  public Future<?> start() {
    connections = new Connections(vertx, pool, cipher);
    disconnections = new Disconnections(vertx, pool, cipher, google);
    var bus = vertx.eventBus();
    return Future.join(
        bus.consumer(Addresses.INTEGRATION_RECONNECT, msg -> Messages.serve(msg, Reconnect::parse, this::reconnect)).completion(),
        bus.consumer(Addresses.INTEGRATION_DISCONNECT, msg -> Messages.serve(msg, Disconnect::parse, this::disconnect)).completion());
  }

  private Future<JsonObject> reconnect(Reconnect r) {
    if (r.delegated() && google.serviceAccount() == null) {
      return Future.failedFuture(BusFailure.badRequest("delegated reconnect of integration " + r.integrationId()
          + ": google.serviceAccountKeyFile is not set"));
    }
    return (r.delegated() ? connections.reconnectDelegated(r.integrationId()) : connections.reconnect(r.integrationId(), r.refreshToken()))
        .map(v -> new JsonObject().put("integrationId", r.integrationId()).put("status", "active"))
        .recover(err -> unavailable("reconnect", r.integrationId(), err));
  }

  private Future<JsonObject> disconnect(Disconnect d) {
    return disconnections.disconnect(d.integrationId(), "bus").map(Disconnections.Result::toJson)
        .recover(err -> unavailable("disconnect", d.integrationId(), err));
  }

  /** A failure that is not already the sender's answer: the database; our copy is unchanged, retry. */
  private static Future<JsonObject> unavailable(String what, long id, Throwable err) {
    if (err instanceof BusFailure) return Future.failedFuture(err);
    log.atWarn().setMessage(what + " failed").addKeyValue("integration", id).addKeyValue("error", err.getMessage()).log();
    return Future.failedFuture(BusFailure.unavailable(what + " of integration " + id + " failed: " + err.getMessage()));
  }
}
