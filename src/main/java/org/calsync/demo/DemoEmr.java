package org.calsync.demo;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.calsync.api.ApiKeys;

/**
 * The clinic's side of the demo: creates an API key and, over plain HTTP like any EMR, lists integrations, asks
 * availability and conflicts (fresh), books, reschedules and cancels appointments, reads their write state back and
 * reads the notices.
 * Prints one short line per call ("emr: ..."). Calls block the calling thread (not an event loop).
 */
final class DemoEmr implements AutoCloseable {
  /** The demo's appointment ids. */
  static final String MOVED = "demo-1";
  static final String CANCELLED = "demo-2";

  private final PrintStream out;
  private final WebClient http;
  private final int port;
  private final String key;

  private DemoEmr(Vertx vertx, int port, String key, PrintStream out) {
    this.http = WebClient.create(vertx);
    this.port = port;
    this.key = key;
    this.out = out;
  }

  /** Creates a write key (only its hash is stored) and a client using it. */
  static DemoEmr connect(Vertx vertx, Pool pool, int apiPort, PrintStream out) {
    ApiKeys.Created created = new ApiKeys(pool).create("demo-emr", ApiKeys.WRITE).await();
    out.printf("emr: API key %d created (scope write); EMR API at http://127.0.0.1:%d/v1%n", created.id(), apiPort);
    return new DemoEmr(vertx, apiPort, created.key(), out);
  }

  /** Books demo-1 and demo-2 on the first two active integrations, moves demo-1, cancels demo-2. */
  void bookRescheduleCancel() {
    JsonArray active = call(HttpMethod.GET, "/v1/integrations?status=active", null).getJsonArray("integrations");
    out.printf("emr: GET /v1/integrations?status=active -> %d integrations%n", active.size());
    if (active.size() < 2) return;
    long first = active.getJsonObject(0).getLong("id");
    long second = active.getJsonObject(1).getLong("id");
    Instant day = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS);

    JsonObject availability = call(HttpMethod.GET, "/v1/availability?integrationId=" + first + "&start="
        + day.plus(8, ChronoUnit.HOURS) + "&end=" + day.plus(18, ChronoUnit.HOURS) + "&fresh=true", null);
    JsonObject freeSlot = firstFree(availability.getJsonArray("free"), day.plus(8, ChronoUnit.HOURS));
    out.printf("emr: GET /v1/availability (integration %d, tomorrow 08-18 UTC, fresh) -> %d busy, %d free, stale=%s%n",
        first, availability.getJsonArray("busy").size(), availability.getJsonArray("free").size(), availability.getBoolean("stale"));

    Instant start = Instant.parse(freeSlot.getString("start"));
    book(MOVED, first, start, "booked");
    JsonObject check = call(HttpMethod.GET, "/v1/conflicts?integrationId=" + first + "&start=" + start + "&end="
        + start.plus(30, ChronoUnit.MINUTES) + "&appointmentId=" + CANCELLED + "&fresh=true", null);
    JsonArray conflicts = check.getJsonArray("conflicts");
    out.printf("emr: GET /v1/conflicts (same slot for another appointment, fresh) -> %s, stale=%s%n", conflicts.isEmpty()
        ? "free" : "busy: " + conflicts.stream().map(c -> ((JsonObject) c).getString("appointmentId", "a Google event"))
            .map(a -> a.startsWith("demo-") ? "appointment " + a : a).distinct().collect(java.util.stream.Collectors.joining(", ")),
        check.getBoolean("stale"));
    book(MOVED, first, start.plus(1, ChronoUnit.HOURS), "rescheduled");
    book(CANCELLED, second, day.plus(12, ChronoUnit.HOURS), "booked");
    JsonObject cancelled = call(HttpMethod.DELETE, "/v1/appointments/" + CANCELLED, null);
    out.printf("emr: DELETE /v1/appointments/%s -> cancelled, version %d, %s%n", CANCELLED, cancelled.getLong("version"),
        cancelled.getBoolean("written") ? "event deleted in Google" : "deletion pending");
  }

  /** Reads back each demo appointment's write state. */
  void readBack() {
    for (String id : List.of(MOVED, CANCELLED)) {
      JsonObject s = call(HttpMethod.GET, "/v1/appointments/" + id, null);
      out.printf("emr: GET /v1/appointments/%s -> %s, write %s (version %d, written %d)%s%n", id, s.getString("status"),
          s.getString("writeState"), s.getLong("version"), s.getLong("writtenVersion"),
          s.getString("lastError") == null ? "" : ", last error: " + s.getString("lastError"));
    }
  }

  /**
   * Reads every notice from the oldest kept (GET /v1/notices, page by page) and prints how many of each type, and the
   * latest few that are not connections.
   */
  void readNotices() {
    long after = 0;
    java.util.Map<String, Integer> byType = new java.util.TreeMap<>();
    List<JsonObject> latest = new java.util.ArrayList<>();
    while (true) {
      JsonObject page = call(HttpMethod.GET, "/v1/notices?after=" + after + "&limit=500", null);
      JsonArray notices = page.getJsonArray("notices");
      for (int i = 0; i < notices.size(); i++) {
        JsonObject n = notices.getJsonObject(i);
        byType.merge(n.getString("type"), 1, Integer::sum);
        boolean connected = "integration.status".equals(n.getString("type"))
            && "connected".equals(n.getJsonObject("data").getString("reason"));
        if (!connected) latest.add(n);
      }
      if (notices.isEmpty() || page.getLong("next") == after) break;
      after = page.getLong("next");
    }
    out.printf("emr: GET /v1/notices (from the start, 500 a page) -> %s; next cursor %d%n", byType.isEmpty() ? "none"
        : byType.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(java.util.stream.Collectors.joining(", ")), after);
    for (JsonObject n : latest.subList(Math.max(0, latest.size() - 3), latest.size())) {
      out.printf("emr:   notice %d %s integration %s%s: %s%n", n.getLong("id"), n.getString("type"), n.getValue("integrationId"),
          n.getString("appointmentId") == null ? "" : " appointment " + n.getString("appointmentId"), n.getJsonObject("data").encode());
    }
  }

  private void book(String id, long integrationId, Instant start, String what) {
    JsonObject body = new JsonObject().put("integrationId", integrationId).put("start", start.toString())
        .put("end", start.plus(30, ChronoUnit.MINUTES).toString());
    JsonObject r = call(HttpMethod.PUT, "/v1/appointments/" + id, body);
    out.printf("emr: PUT /v1/appointments/%s (integration %d, %s) -> %s, version %d, %s%n", id, integrationId,
        start.toString().substring(11, 16) + " UTC tomorrow", what, r.getLong("version"),
        r.getBoolean("written") ? "written to Google as event " + r.getString("eventId") : "write pending (" + r.getString("error") + ")");
  }

  /** The first free interval of at least 30 minutes, or the day's start when none is listed. */
  private static JsonObject firstFree(JsonArray free, Instant fallback) {
    for (int i = 0; i < free.size(); i++) {
      JsonObject f = free.getJsonObject(i);
      if (!Instant.parse(f.getString("end")).isBefore(Instant.parse(f.getString("start")).plus(30, ChronoUnit.MINUTES))) return f;
    }
    return new JsonObject().put("start", fallback.toString());
  }

  private JsonObject call(HttpMethod method, String uri, JsonObject body) {
    var request = http.request(method, port, "127.0.0.1", uri).putHeader("Authorization", "Bearer " + key);
    HttpResponse<Buffer> r = (body == null ? request.send() : request.sendJsonObject(body)).await();
    JsonObject json = r.bodyAsJsonObject();
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + uri + " answered " + r.statusCode() + ": " + json.encode());
    }
    return json;
  }

  @Override
  public void close() {
    http.close();
  }
}
