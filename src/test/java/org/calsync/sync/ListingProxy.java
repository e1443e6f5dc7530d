package org.calsync.sync;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pass-through HTTP proxy in front of the emulator's Calendar API that records, per calendar, the largest number of
 * events.list requests in flight at once, as the clients see them: a request counts from its arrival until its
 * response is sent or its connection closes (a client that timed out and gave up no longer has it in flight, even
 * though the emulator may still be sleeping on it). An upstream connection reset is passed on as a reset.
 * It can also answer as Google may where the emulator does not: {@link #rewrite} changes events.list pages (e.g. the
 * same event twice, or an event no mapper accepts), and listings {@link #forbid} selects get 403 forbidden (once
 * {@link #beforeForbidding} completes).
 */
final class ListingProxy implements AutoCloseable {
  /** Rewrites a 200 events.list page; given the calendar id (decoded) and the page as the emulator sent it. */
  interface PageRewrite {
    JsonObject apply(String calendarId, JsonObject page);
  }

  volatile PageRewrite rewrite;
  /** events.list requests whose URI (decoded) it accepts are answered 403 forbidden. */
  volatile Predicate<String> forbid;
  /** The reason of those 403 answers (e.g. quotaExceeded). */
  volatile String forbiddenReason = "forbidden";
  /** When set, a listing {@link #forbid} selects is answered only once the future it returns has completed. */
  volatile Supplier<Future<?>> beforeForbidding;
  /** When set, an events.list request that is passed on is forwarded only once the future it returns has completed. */
  volatile Supplier<Future<?>> beforeListing;

  private final HttpServer server;
  private final WebClient client;
  private final String target;
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> maxInFlight = new ConcurrentHashMap<>();
  private final AtomicInteger listings = new AtomicInteger();

  private ListingProxy(Vertx vertx, String target) {
    this.target = target;
    this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(256).setMaxWaitQueueSize(-1));
    this.server = vertx.createHttpServer().requestHandler(this::forward).listen(0, "127.0.0.1").await();
  }

  /** target: the emulator's base URL (without /calendar/v3). */
  static ListingProxy start(Vertx vertx, String target) {
    return new ListingProxy(vertx, target);
  }

  String apiBaseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/calendar/v3";
  }

  /** Largest number of events.list requests in flight at once, by calendar path. */
  Map<String, Integer> maxInFlight() {
    Map<String, Integer> m = new TreeMap<>();
    maxInFlight.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }

  /** events.list requests in flight now, over all calendars. */
  int inFlight() {
    return inFlight.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  int listings() {
    return listings.get();
  }

  private void forward(HttpServerRequest req) {
    String path = req.path();
    boolean listing = "GET".equals(req.method().name()) && path.startsWith("/calendar/v3/calendars/") && path.endsWith("/events");
    Runnable done = () -> { };
    if (listing) {
      listings.incrementAndGet();
      int now = inFlight.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
      maxInFlight.computeIfAbsent(path, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
      AtomicBoolean ended = new AtomicBoolean();
      done = () -> {
        if (ended.compareAndSet(false, true)) inFlight.get(path).decrementAndGet();
      };
      Runnable end = done;
      req.connection().closeHandler(v -> end.run());
    }
    Runnable end = done;
    String calendarId = listing ? URLDecoder.decode(path.substring("/calendar/v3/calendars/".length(), path.length() - "/events".length()),
        StandardCharsets.UTF_8) : null;
    Predicate<String> refused = forbid;
    if (listing && refused != null && refused.test(URLDecoder.decode(req.uri(), StandardCharsets.UTF_8))) {
      JsonObject error = new JsonObject().put("code", 403).put("message", "Forbidden")
          .put("errors", new JsonArray().add(new JsonObject().put("domain", "global").put("reason", forbiddenReason).put("message", "Forbidden")));
      Supplier<Future<?>> first = beforeForbidding;
      (first == null ? Future.succeededFuture() : first.get()).onComplete(ar -> {
        end.run();
        req.response().setStatusCode(403).putHeader("Content-Type", "application/json; charset=UTF-8")
            .end(new JsonObject().put("error", error).encode());
      });
      return;
    }
    Supplier<Future<?>> hold = listing ? beforeListing : null;
    Future<?> ready = hold == null ? Future.succeededFuture() : hold.get();
    req.pause();
    ready.compose(v -> {
      req.resume();
      return req.body();
    }).compose(body -> {
      HttpRequest<Buffer> out = client.requestAbs(req.method(), target + req.uri());
      // no Accept-Encoding: pages may be rewritten here, so they must come uncompressed
      req.headers().forEach((k, v) -> {
        if (!k.equalsIgnoreCase("host") && !k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("accept-encoding")) {
          out.putHeader(k, v);
        }
      });
      return out.sendBuffer(body);
    }).onSuccess(res -> reply(req, res, end, calendarId)).onFailure(e -> {
      end.run();
      req.connection().close();
    });
  }

  private void reply(HttpServerRequest req, HttpResponse<Buffer> res, Runnable done, String calendarId) {
    Buffer body = res.body() == null ? Buffer.buffer() : res.body();
    PageRewrite r = rewrite;
    if (r != null && calendarId != null && res.statusCode() == 200) body = r.apply(calendarId, body.toJsonObject()).toBuffer();
    var response = req.response().setStatusCode(res.statusCode());
    res.headers().forEach((k, v) -> {
      if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("transfer-encoding")
          && !k.equalsIgnoreCase("connection")) {
        response.putHeader(k, v);
      }
    });
    // the client may already have given up (timeout): counted as ended when its connection closed
    done.run();
    response.end(body).onFailure(e -> { });
  }

  @Override
  public void close() {
    client.close();
    server.close().await();
  }
}
