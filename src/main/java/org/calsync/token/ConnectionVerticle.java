package org.calsync.token;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.calsync.bus.Addresses;
import org.calsync.bus.FailureCode;
import org.calsync.bus.Messages;
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
    return Future.join(vertx.eventBus().consumer(Addresses.INTEGRATION_RECONNECT, this::onReconnect).completion(),
        vertx.eventBus().consumer(Addresses.INTEGRATION_DISCONNECT, this::onDisconnect).completion());
  }

  private void onReconnect(Message<Object> msg) {
    JsonObject body = Messages.body(msg);
    if (body == null) return;
    Long id = Messages.requireLong(msg, body, "integrationId");
    if (id == null) return;
    // The token itself is never echoed in a reply or a log line.
    if (!(body.getValue("refreshToken") instanceof String token) || token.isBlank() || token.length() > 4096) {
      msg.fail(FailureCode.BAD_REQUEST, "field 'refreshToken' must be a non-blank string of at most 4096 characters");
      return;
    }
    connections.reconnect(id, token.trim())
        .onSuccess(v -> msg.reply(new JsonObject().put("integrationId", id).put("status", "active")))
        .onFailure(err -> fail(msg, "reconnect", id, err));
  }

  private void onDisconnect(Message<Object> msg) {
    JsonObject body = Messages.body(msg);
    if (body == null) return;
    Long id = Messages.requireLong(msg, body, "integrationId");
    if (id == null) return;
    disconnections.disconnect(id, "bus")
        .onSuccess(r -> msg.reply(r.toJson()))
        .onFailure(err -> fail(msg, "disconnect", id, err));
  }

  private static void fail(Message<Object> msg, String what, long id, Throwable err) {
    if (err instanceof IllegalArgumentException) {
      msg.fail(FailureCode.NOT_FOUND, err.getMessage());
      return;
    }
    log.atWarn().setMessage(what + " failed").addKeyValue("integration", id).addKeyValue("error", err.getMessage()).log();
    msg.fail(FailureCode.UNAVAILABLE, what + " of integration " + id + " failed: " + err.getMessage());
  }
}
