package org.calsync.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.LoggerFactory;

/** Response helpers shared by the endpoints. */
final class Http {
  private Http() {}

  static final String JSON = "application/json; charset=UTF-8";
  static final String MALFORMED = "emulator.malformed";
  static final String RETRY_AFTER = "emulator.retryAfter";
  static final String USER = "emulator.user";
  /** The challenge Google's APIs send with every 401 (RFC 6750 3). */
  static final String BEARER_CHALLENGE = "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"";

  /** Writes a JSON body; a 200 under the malformed-JSON fault is cut in the middle. */
  static void json(RoutingContext ctx, int status, JsonObject body) {
    Buffer b = body.toBuffer();
    if (status == 200 && Boolean.TRUE.equals(ctx.get(MALFORMED)) && b.length() > 1) {
      b = b.getBuffer(0, Math.max(1, b.length() / 2));
    }
    ctx.response().setStatusCode(status).putHeader("content-type", JSON).end(b);
  }

  static void error(RoutingContext ctx, ApiError e) {
    String retryAfter = ctx.get(RETRY_AFTER);
    if (retryAfter != null) ctx.response().putHeader("Retry-After", retryAfter);
    if (e.status == 401) ctx.response().putHeader("WWW-Authenticate", BEARER_CHALLENGE);
    ctx.response().setStatusCode(e.status).putHeader("content-type", JSON).end(e.toJson().toBuffer());
  }

  /** The JSON request body ({} when empty); 400 parseError when it is not a JSON object. */
  static JsonObject body(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() == 0) return new JsonObject();
    try {
      JsonObject o = ctx.body().asJsonObject();
      if (o != null) return o;
    } catch (DecodeException | ClassCastException | IllegalStateException e) {
      LoggerFactory.getLogger(Http.class).debug("unparseable body: {}", e.toString());
    }
    throw GoogleErrors.parseError();
  }

  static String user(RoutingContext ctx) {
    return ctx.get(USER);
  }
}
