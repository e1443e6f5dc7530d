package org.calsync.google;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import org.calsync.bus.Addresses;

/** Access tokens from the token verticle over the event bus ({@link Addresses#TOKEN_GET}). */
final class AccessTokens {
  private final EventBus bus;

  AccessTokens(EventBus bus) {
    this.bus = bus;
  }

  /** force: the token just handed out was refused (401); refresh unless another process already did. */
  Future<String> get(long integrationId, boolean force) {
    return bus.<JsonObject>request(Addresses.TOKEN_GET, new JsonObject().put("integrationId", integrationId).put("force", force))
        .map(m -> m.body().getString("accessToken"));
  }
}
