package org.calsync.google;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.calsync.config.GoogleConfig;

/**
 * Google Calendar API v3 requests, one HTTP call per method, failing with a {@link GoogleApiException}. Throttling,
 * retries and tokens are {@link GoogleCall}'s; this class only builds requests on {@link Google}'s WebClient.
 * ifMatch (patch, delete): an etag sent as If-Match, or null for an unconditional write; a mismatch is a 412.
 */
final class CalendarClient {
  private final WebClient client;
  private final String base;
  private final long timeoutMs;

  CalendarClient(WebClient client, GoogleConfig config) {
    this.client = client;
    this.base = config.apiBaseUrl();
    this.timeoutMs = config.requestTimeoutMs();
  }

  /** calendarList.list (one page). With syncToken: only the entries changed since, deleted ones included. */
  Future<JsonObject> calendarList(String accessToken, String syncToken, String pageToken, String fields) {
    HttpRequest<Buffer> req = client.getAbs(base + "/users/me/calendarList");
    if (fields != null) req.addQueryParam("fields", fields);
    if (syncToken != null) req.addQueryParam("syncToken", syncToken);
    if (pageToken != null) req.addQueryParam("pageToken", pageToken);
    return send("calendarList.list", uncompressedIfSmall(req, syncToken, pageToken), accessToken, null);
  }

  /**
   * events.list (one page). With syncToken: incremental. Without: full listing (singleEvents=false, so recurring
   * masters and their exceptions come as stored; cancelled events are only returned incrementally).
   */
  Future<JsonObject> listEvents(String accessToken, String calendarId, String syncToken, String pageToken, int maxResults,
                                String fields) {
    HttpRequest<Buffer> req = client.getAbs(base + "/calendars/" + enc(calendarId) + "/events")
        .addQueryParam("maxResults", Integer.toString(maxResults));
    if (fields != null) req.addQueryParam("fields", fields);
    if (syncToken != null) req.addQueryParam("syncToken", syncToken);
    if (pageToken != null) req.addQueryParam("pageToken", pageToken);
    return send("events.list", uncompressedIfSmall(req, syncToken, pageToken), accessToken, null);
  }

  /**
   * The first page of an incremental listing is usually empty or nearly so (a few hundred bytes): it is asked for
   * without compression (a User-Agent without "gzip", so Google does not compress), since inflating a small answer
   * costs more CPU than its bytes. Full listings and later pages, which can be large, stay compressed.
   */
  private static HttpRequest<Buffer> uncompressedIfSmall(HttpRequest<Buffer> req, String syncToken, String pageToken) {
    return syncToken != null && pageToken == null ? req.putHeader("User-Agent", Google.PLAIN_USER_AGENT) : req;
  }

  Future<JsonObject> insertEvent(String accessToken, String calendarId, JsonObject event) {
    return send("events.insert", client.postAbs(base + "/calendars/" + enc(calendarId) + "/events"), accessToken, event);
  }

  Future<JsonObject> patchEvent(String accessToken, String calendarId, String eventId, JsonObject patch, String ifMatch) {
    return send("events.patch", ifMatch(client.patchAbs(base + "/calendars/" + enc(calendarId) + "/events/" + enc(eventId)),
        ifMatch), accessToken, patch);
  }

  Future<JsonObject> getEvent(String accessToken, String calendarId, String eventId) {
    return send("events.get", client.getAbs(base + "/calendars/" + enc(calendarId) + "/events/" + enc(eventId)),
        accessToken, null);
  }

  /** events.delete; a 410 "deleted" (already gone) counts as success. */
  Future<Void> deleteEvent(String accessToken, String calendarId, String eventId, String ifMatch) {
    HttpRequest<Buffer> req = ifMatch(client.deleteAbs(base + "/calendars/" + enc(calendarId) + "/events/" + enc(eventId)), ifMatch);
    return call("events.delete", req, accessToken, null).compose(resp -> {
      int s = resp.statusCode();
      if (s == 204 || s == 200 || (s == 410 && "deleted".equals(GoogleErrors.reasonOf(resp.body())))) return Future.succeededFuture();
      return Future.failedFuture(GoogleErrors.fromResponse("events.delete", resp));
    });
  }

  /** events.watch: opens a push channel. */
  Future<JsonObject> watch(String accessToken, String calendarId, JsonObject channel) {
    return send("events.watch", client.postAbs(base + "/calendars/" + enc(calendarId) + "/events/watch"), accessToken, channel);
  }

  /** channels.stop. */
  Future<Void> stopChannel(String accessToken, String channelId, String resourceId) {
    HttpRequest<Buffer> req = client.postAbs(base + "/channels/stop");
    return call("channels.stop", req, accessToken, new JsonObject().put("id", channelId).put("resourceId", resourceId))
        .compose(resp -> resp.statusCode() / 100 == 2 ? Future.succeededFuture()
            : Future.failedFuture(GoogleErrors.fromResponse("channels.stop", resp)));
  }

  private Future<JsonObject> send(String op, HttpRequest<Buffer> req, String accessToken, JsonObject body) {
    return call(op, req, accessToken, body).compose(resp -> {
      if (resp.statusCode() / 100 != 2) return Future.failedFuture(GoogleErrors.fromResponse(op, resp));
      Buffer b = resp.body();
      if (b == null || b.length() == 0) return Future.failedFuture(GoogleErrors.malformed(op, "empty body"));
      try {
        return Future.succeededFuture(new JsonObject(b));
      } catch (RuntimeException e) {
        return Future.failedFuture(GoogleErrors.malformed(op, "not a JSON object (" + b.length() + " bytes)"));
      }
    });
  }

  private Future<HttpResponse<Buffer>> call(String op, HttpRequest<Buffer> req, String accessToken, JsonObject body) {
    req.bearerTokenAuthentication(accessToken).timeout(timeoutMs).putHeader("Accept", "application/json");
    Future<HttpResponse<Buffer>> f = body == null ? req.send() : req.sendJsonObject(body);
    return f.recover(err -> Future.failedFuture(GoogleErrors.network(op, err)));
  }

  private static HttpRequest<Buffer> ifMatch(HttpRequest<Buffer> req, String etag) {
    return etag == null ? req : req.putHeader("If-Match", etag);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
