package org.calsync.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
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
  /** The request's parsed {@code fields} selection (a {@link FieldSelection}), applied to its 200 JSON body. */
  static final String FIELDS = "emulator.fields";
  /** The challenge Google's APIs send with a 401 for a bad token (RFC 6750 3). */
  static final String BEARER_CHALLENGE = "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"";
  /** The challenge for a request without credentials (RFC 6750 3.1: no error code). */
  static final String BEARER_REALM = "Bearer realm=\"https://accounts.google.com/\"";

  /** The challenge with a 403 insufficientPermissions (RFC 6750 3.1): the scopes the method accepts, space-separated. */
  static String insufficientScopeChallenge(java.util.List<String> accepted) {
    return BEARER_REALM + ", error=\"insufficient_scope\", scope=\"" + String.join(" ", accepted) + "\"";
  }

  /** Writes a JSON body, reduced to the request's {@code fields}; a 200 under the malformed-JSON fault is cut in the middle. */
  static void json(RoutingContext ctx, int status, JsonObject body) {
    FieldSelection fields = ctx.get(FIELDS);
    if (fields != null && status == 200) body = fields.apply(body);
    Buffer b = body.toBuffer();
    if (status == 200 && Boolean.TRUE.equals(ctx.get(MALFORMED)) && b.length() > 1) {
      b = b.getBuffer(0, Math.max(1, b.length() / 2));
    }
    send(ctx, status, b);
  }

  /** An error body is never reduced by {@code fields}. */
  static void error(RoutingContext ctx, ApiError e) {
    String retryAfter = ctx.get(RETRY_AFTER);
    if (retryAfter != null) ctx.response().putHeader("Retry-After", retryAfter);
    if (e.status == 401) {
      ctx.response().putHeader("WWW-Authenticate", "required".equals(e.reason) ? BEARER_REALM : BEARER_CHALLENGE);
    }
    send(ctx, e.status, e.toJson().toBuffer());
  }

  /**
   * Ends the response with a JSON body, gzip-compressed when the request asks as Google requires: Accept-Encoding
   * names gzip and the User-Agent contains "gzip".
   */
  static void send(RoutingContext ctx, int status, Buffer json) {
    HttpServerResponse response = ctx.response().setStatusCode(status).putHeader("content-type", JSON);
    if (Gzip.wanted(ctx.request())) {
      response.putHeader(HttpHeaders.CONTENT_ENCODING, "gzip").end(Gzip.compress(json));
    } else {
      response.end(json);
    }
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
