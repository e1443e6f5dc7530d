package org.calsync.booking;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.Promise;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pass-through HTTP proxy in front of the emulator's Calendar API that can answer as real Google may where the
 * emulator does not. While {@link #minimalTombstones} is set, cancelled items of events listings are cut down to what
 * Google guarantees for a deleted event (id only, plus kind/etag/status), as for a removed exception of a series.
 * Updates (PATCH/PUT) of an event id in {@link #refuseUpdates} get 403 forbidden, as reported for updates of a
 * deleted event's reserved id. {@link #hold} keeps requests of one method on one event id waiting (a slow Google)
 * until {@link #release}; {@link #exchanges} lists every forwarded event request with its If-Match and status.
 */
final class GoogleProxy implements AutoCloseable {
  volatile boolean minimalTombstones;
  final Set<String> refuseUpdates = ConcurrentHashMap.newKeySet();
  /** "METHOD eventId If-Match -> status" of each forwarded request on an event, in order of the answers. */
  final List<String> exchanges = new CopyOnWriteArrayList<>();
  private final Map<String, Promise<Void>> holds = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> waiting = new ConcurrentHashMap<>();
  private final HttpServer server;
  private final WebClient client;

  private GoogleProxy(HttpServer server, WebClient client) {
    this.server = server;
    this.client = client;
  }

  /** target: the emulator's base URL (without /calendar/v3). */
  static GoogleProxy start(Vertx vertx, String target) {
    WebClient client = WebClient.create(vertx);
    GoogleProxy[] self = new GoogleProxy[1];
    HttpServer server = vertx.createHttpServer()
        .requestHandler(req -> self[0].forward(req, target))
        .listen(0, "127.0.0.1").await();
    self[0] = new GoogleProxy(server, client);
    return self[0];
  }

  String apiBaseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/calendar/v3";
  }

  private void forward(HttpServerRequest req, String target) {
    String path = req.path();
    String id = path.substring(path.lastIndexOf('/') + 1);
    if ((req.method() == HttpMethod.PATCH || req.method() == HttpMethod.PUT) && refuseUpdates.contains(id)) {
      JsonObject error = new JsonObject().put("code", 403).put("message", "Forbidden")
          .put("errors", new JsonArray().add(new JsonObject().put("domain", "global").put("reason", "forbidden")
              .put("message", "Forbidden")));
      req.response().setStatusCode(403).putHeader("Content-Type", "application/json; charset=UTF-8")
          .end(new JsonObject().put("error", error).encode());
      return;
    }
    String key = req.method() + " " + id;
    req.body().compose(body -> {
      Promise<Void> hold = holds.get(key);
      if (hold == null) return Future.succeededFuture(body);
      waiting.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      return hold.future().map(body);
    }).compose(body -> {
      HttpRequest<Buffer> out = client.requestAbs(req.method(), target + req.uri());
      // no Accept-Encoding: replies are read and rewritten here, so they must come uncompressed
      req.headers().forEach((k, v) -> {
        if (!k.equalsIgnoreCase("host") && !k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("accept-encoding")) {
          out.putHeader(k, v);
        }
      });
      return out.sendBuffer(body);
    }).compose(res -> {
      if (path.contains("/events/")) exchanges.add(key + " " + req.getHeader("If-Match") + " -> " + res.statusCode());
      return reply(req, res);
    }).onFailure(e -> req.response().setStatusCode(502).end());
  }

  /** Holds every later request of method on eventId until {@link #release}. */
  void hold(HttpMethod method, String eventId) {
    holds.put(method + " " + eventId, Promise.promise());
  }

  /** How many requests of method on eventId have reached the hold. */
  int held(HttpMethod method, String eventId) {
    AtomicInteger n = waiting.get(method + " " + eventId);
    return n == null ? 0 : n.get();
  }

  /** Forwards the held requests (to the emulator, now) and stops holding. */
  void release(HttpMethod method, String eventId) {
    holds.remove(method + " " + eventId).tryComplete();
  }

  private Future<Void> reply(HttpServerRequest req, HttpResponse<Buffer> res) {
    Buffer body = res.body() == null ? Buffer.buffer() : res.body();
    if (minimalTombstones && res.statusCode() == 200 && req.path().endsWith("/events")) body = minimal(body.toJsonObject()).toBuffer();
    var response = req.response().setStatusCode(res.statusCode());
    res.headers().forEach((k, v) -> {
      if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("transfer-encoding")) response.putHeader(k, v);
    });
    return response.end(body);
  }

  private static JsonObject minimal(JsonObject page) {
    JsonArray items = page.getJsonArray("items");
    if (items == null) return page;
    JsonArray out = new JsonArray();
    for (Object o : items) {
      JsonObject e = (JsonObject) o;
      out.add(!"cancelled".equals(e.getString("status")) ? e : new JsonObject().put("kind", e.getValue("kind"))
          .put("etag", e.getValue("etag")).put("id", e.getValue("id")).put("status", "cancelled"));
    }
    return page.copy().put("items", out);
  }

  @Override
  public void close() {
    client.close();
    server.close().await();
  }
}
