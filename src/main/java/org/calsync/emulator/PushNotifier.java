package org.calsync.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * events.watch channels and their web-hook deliveries: a "sync" message (number 1) when the channel is created,
 * then an "exists" message with a larger, not necessarily consecutive number for every change of the calendar.
 * Bodies are empty. Delivery failures are ignored. Expired channels are dropped.
 */
final class PushNotifier {
  private static final Logger LOG = LoggerFactory.getLogger(PushNotifier.class);
  static final long MAX_TTL_SECONDS = 604_800;

  static final class Channel {
    final String id, resourceId, resourceUri, token, address, owner, calendarId;
    final long expirationMs;
    long messageNumber = 1;

    Channel(String id, String resourceId, String resourceUri, String token, String address, String owner,
            String calendarId, long expirationMs) {
      this.id = id;
      this.resourceId = resourceId;
      this.resourceUri = resourceUri;
      this.token = token;
      this.address = address;
      this.owner = owner;
      this.calendarId = calendarId;
      this.expirationMs = expirationMs;
    }
  }

  private final WebClient client;
  private final Stats stats;
  private final SplittableRandom rng;
  private final Map<String, Channel> byId = new ConcurrentHashMap<>();
  private final Map<String, List<Channel>> byCalendar = new ConcurrentHashMap<>();

  PushNotifier(Vertx vertx, Stats stats, long seed) {
    this.client = WebClient.create(vertx, new WebClientOptions().setUserAgent("APIs-Google")
      .setConnectTimeout(2000).setIdleTimeout(30));
    this.stats = stats;
    this.rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
  }

  boolean exists(String channelId) { return byId.containsKey(channelId); }

  void add(Channel c) {
    byId.put(c.id, c);
    byCalendar.computeIfAbsent(c.calendarId, k -> new CopyOnWriteArrayList<>()).add(c);
    send(c, "sync", 1);
  }

  /** Stops a channel of {@code owner}; false when unknown (or someone else's). */
  boolean stop(String owner, String id, String resourceId) {
    Channel c = byId.get(id);
    if (c == null || !c.owner.equals(owner) || !c.resourceId.equals(resourceId)) return false;
    remove(c);
    return true;
  }

  private void remove(Channel c) {
    byId.remove(c.id);
    List<Channel> l = byCalendar.get(c.calendarId);
    if (l != null) l.remove(c);
  }

  void changed(CalendarData cal) {
    List<Channel> l = byCalendar.get(cal.id);
    if (l == null || l.isEmpty()) return;
    long now = System.currentTimeMillis();
    for (Channel c : l) {
      if (c.expirationMs <= now) {
        remove(c);
        continue;
      }
      long n;
      synchronized (c) {
        c.messageNumber += 1 + rngNext();
        n = c.messageNumber;
      }
      send(c, "exists", n);
    }
  }

  private synchronized int rngNext() { return rng.nextInt(3); }

  private void send(Channel c, String state, long number) {
    HttpRequest<Buffer> req = client.postAbs(c.address)
      .putHeader("X-Goog-Channel-ID", c.id)
      .putHeader("X-Goog-Channel-Expiration",
        DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(c.expirationMs).atOffset(ZoneOffset.UTC)))
      .putHeader("X-Goog-Resource-ID", c.resourceId)
      .putHeader("X-Goog-Resource-URI", c.resourceUri)
      .putHeader("X-Goog-Resource-State", state)
      .putHeader("X-Goog-Message-Number", Long.toString(number))
      .putHeader(HttpHeaders.CONTENT_TYPE.toString(), "application/json; utf-8")
      .putHeader(HttpHeaders.USER_AGENT.toString(), "APIs-Google");
    if (c.token != null) req.putHeader("X-Goog-Channel-Token", c.token);
    req.sendBuffer(Buffer.buffer()).onComplete(ar -> {
      if (ar.succeeded()) stats.notificationSent();
      else LOG.debug("notification to {} failed: {}", c.address, ar.cause().toString());
    });
  }

  void close() { client.close(); }
}
