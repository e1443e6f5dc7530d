package org.calsync.api;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

/**
 * A platform handler, so it runs before the body is read: a request whose body has not arrived in full api.bodyTimeoutSeconds after
 * its headers is answered 408 and its connection closed, so its handler never runs (nothing is written). Reading is
 * non-blocking either way; this bounds how long a slow or stalled client keeps a connection and a buffered body.
 */
final class BodyDeadline implements PlatformHandler {
  private final long timeoutMs;

  BodyDeadline(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!request.isEnded()) {
      long timer = ctx.vertx().setTimer(timeoutMs, id -> {
        if (request.isEnded() || ctx.response().ended()) return;
        Problems.sendAndClose(ctx, 408, "REQUEST_TIMEOUT", "the body did not arrive within api.bodyTimeoutSeconds ("
            + timeoutMs / 1000 + " s) of the headers; send it at once", "body");
      });
      ctx.addEndHandler(v -> ctx.vertx().cancelTimer(timer));
    }
    ctx.next();
  }
}
