package org.calsync.google;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import org.calsync.bus.Addresses;
import org.calsync.bus.Requests.TokenGet;

/** Access tokens from the token verticle over the event bus ({@link Addresses#TOKEN_GET}). */
final class AccessTokens {
  private final EventBus bus;

  AccessTokens(EventBus bus) {
    this.bus = bus;
  }

  /**
   * force: the token just handed out was refused (401); refresh unless another process already did. active: the
   * caller has just read the integration as active.
   */
  Future<String> get(long integrationId, boolean force, boolean active) {
    return bus.<JsonObject>request(Addresses.TOKEN_GET, new TokenGet(integrationId, force, false, active).toJson(), TokenGet.DELIVERY)
        .map(m -> m.body().getString("accessToken"));
  }
}
