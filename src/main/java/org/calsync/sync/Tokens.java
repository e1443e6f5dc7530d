package org.calsync.sync;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import org.calsync.bus.Addresses;

/** Asks the token verticle for an access token over the event bus. */
final class Tokens {
  private final EventBus bus;

  Tokens(EventBus bus) {
    this.bus = bus;
  }

  Future<String> get(long integrationId, boolean force) {
    return bus.<JsonObject>request(Addresses.TOKEN_GET, new JsonObject().put("integrationId", integrationId).put("force", force))
        .map(m -> m.body().getString("accessToken"));
  }
}
