package org.calsync.emulator;

import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters. Request keys are {@code "<HTTP method> <operation> <status>"}, e.g. {@code "GET events.list 200"};
 * a connection closed by the reset fault counts with status 0. The last {@link #LOG_SIZE} requests are also kept with
 * the time each was received ({@link #recent}).
 */
public final class Stats {
  static final int LOG_SIZE = 10_000;

  /** One answered request: when it was received (epoch ms) and its key. */
  public record Request(long receivedAtMillis, String key) {
  }

  private final java.util.ArrayDeque<Request> log = new java.util.ArrayDeque<>();
  private final ConcurrentHashMap<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final LongAdder total = new LongAdder();
  private final LongAdder tokenRefreshes = new LongAdder();
  private final LongAdder notificationsSent = new LongAdder();
  private final LongAdder notificationMillis = new LongAdder();
  private final LongAdder faultsInjected = new LongAdder();
  private final LongAdder compressedResponses = new LongAdder();

  void request(String key, long receivedAtMillis) {
    requests.computeIfAbsent(key, k -> new LongAdder()).increment();
    total.increment();
    synchronized (log) {
      if (log.size() == LOG_SIZE) log.poll();
      log.add(new Request(receivedAtMillis, key));
    }
  }

  /** The recent requests whose key contains fragment, oldest first. */
  public java.util.List<Request> recent(String fragment) {
    synchronized (log) {
      return log.stream().filter(r -> r.key().contains(fragment)).toList();
    }
  }
  void tokenRefresh() { tokenRefreshes.increment(); }
  /** A notification answered with success, millis after the change it reports (queueing, retries, the answer). */
  void notificationSent(long millis) {
    notificationsSent.increment();
    notificationMillis.add(millis);
  }
  void faultInjected() { faultsInjected.increment(); }
  void compressed() { compressedResponses.increment(); }

  /** Snapshot of request counts by "method operation status". */
  public Map<String, Long> requests() {
    Map<String, Long> m = new TreeMap<>();
    requests.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }
  /** Sum of counts whose key contains {@code fragment} (e.g. "events.list", " 429"). */
  public long requests(String fragment) {
    long n = 0;
    for (Map.Entry<String, LongAdder> e : requests.entrySet()) if (e.getKey().contains(fragment)) n += e.getValue().sum();
    return n;
  }
  public long totalRequests() { return total.sum(); }
  public long tokenRefreshes() { return tokenRefreshes.sum(); }
  public long notificationsSent() { return notificationsSent.sum(); }
  /** Sum over the notifications sent of the ms from the change to the webhook's success answer. */
  public long notificationMillis() { return notificationMillis.sum(); }
  public long faultsInjected() { return faultsInjected.sum(); }
  /** Responses sent gzip-compressed (the client asked as Google requires: Accept-Encoding and User-Agent). */
  public long compressedResponses() { return compressedResponses.sum(); }

  public JsonObject toJson() {
    JsonObject r = new JsonObject();
    requests().forEach(r::put);
    return new JsonObject().put("totalRequests", totalRequests()).put("requests", r)
      .put("tokenRefreshes", tokenRefreshes()).put("notificationsSent", notificationsSent())
      .put("faultsInjected", faultsInjected()).put("compressedResponses", compressedResponses());
  }
}
