package org.calsync.api;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The HTTP door to a bus address: sends the request body to the address (the same code path as an in-process caller)
 * and answers with the reply as JSON, or with the failure as a problem ({@link Problems#fromBus}).
 */
final class BusDoor {
  static final long DEFAULT_TIMEOUT_MS = 30_000;
  private final Vertx vertx;

  BusDoor(Vertx vertx) {
    this.vertx = vertx;
  }

  void request(RoutingContext ctx, String address, JsonObject body, long timeoutMs, int status) {
    vertx.eventBus().<Object>request(address, body, new DeliveryOptions().setSendTimeout(timeoutMs))
        .onSuccess(reply -> {
          Object b = reply.body();
          JsonObject json = b instanceof JsonObject o ? o : new JsonObject(String.valueOf(b));
          ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(json.encode());
        })
        .onFailure(err -> Problems.fromBus(ctx, err));
  }
}
