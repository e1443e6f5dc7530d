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
   * refused: null, or the token a 401 just refused (refreshed unless another caller already replaced it). active: the
   * caller has just read the integration as active.
   */
  Future<String> get(long integrationId, String refused, boolean active) {
    TokenGet request = refused != null ? TokenGet.refused(integrationId, refused) : new TokenGet(integrationId, false, false, active);
    return bus.<JsonObject>request(Addresses.TOKEN_GET, request.toJson(), TokenGet.DELIVERY)
        .map(m -> m.body().getString("accessToken"));
  }
}
