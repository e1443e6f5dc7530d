package org.calsync.emulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * events.watch channels and their web-hook deliveries: a "sync" message (number 1) when the channel is created,
 * then an "exists" message with a larger, not necessarily consecutive number for every change of the calendar.
 * Bodies are empty. Each channel delivers its messages one at a time in message-number order (so "sync" always
 * arrives before the first "exists"); different channels deliver concurrently, up to
 * {@link #MAX_CONNECTIONS_PER_ENDPOINT} connections per address. A delivery answered 500, 502, 503 or 504 is retried with exponential backoff
 * (PUSH: "the Google Calendar API retries with exponential backoff") up to {@link #MAX_RETRIES} times before the
 * next message goes out; any other failure drops the message. At most {@link #MAX_QUEUED} messages wait per channel
 * (beyond that the newest "exists" replaces the last waiting one). Stopped and expired channels are dropped with
 * their queues.
 */
final class PushNotifier {
  private static final Logger LOG = LoggerFactory.getLogger(PushNotifier.class);
  static final long MAX_TTL_SECONDS = 604_800;
  static final int MAX_RETRIES = 5;
  /**
   * Connections open at once to one web-hook address. Google delivers from many machines and documents no limit per
   * endpoint; the HTTP client's default of 5 made deliveries of different channels wait for one another (at a few
   * hundred notifications a second, seconds behind the change).
   */
  static final int MAX_CONNECTIONS_PER_ENDPOINT = 256;
  /** Messages a channel keeps waiting behind the one in flight. */
  static final int MAX_QUEUED = 1000;
  /** RFC 1123 with a two-digit day of month, as Google writes it ("Tue, 19 Nov 2013 01:13:52 GMT"). */
  static final DateTimeFormatter EXPIRATION =
    DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  private record Message(String state, long number, long createdAtMillis) {}

  static final class Channel {
    final String id, resourceId, resourceUri, token, address, owner, calendarId;
    final long expirationMs;
    long messageNumber = 1;
    /** Guarded by the channel: messages waiting behind the one in flight. */
    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    private boolean inFlight;

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

  private final Vertx vertx;
  private final WebClient client;
  private final Stats stats;
  private final SplittableRandom rng;
  private final Map<String, Channel> byId = new ConcurrentHashMap<>();
  private final Map<String, List<Channel>> byCalendar = new ConcurrentHashMap<>();

  PushNotifier(Vertx vertx, Stats stats, long seed) {
    this.vertx = vertx;
    this.client = WebClient.create(vertx, new WebClientOptions().setUserAgent("APIs-Google")
      .setConnectTimeout(2000).setIdleTimeout(30),
      new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS_PER_ENDPOINT).setMaxWaitQueueSize(-1));
    this.stats = stats;
    this.rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
  }

  private volatile long retryBaseMs = 1000;
  private volatile long retryMaxMs = 32_000;

  /** Backoff of retried deliveries: base * 2^(attempt-1), capped at max (defaults 1 s and 32 s). */
  void retryBackoff(long baseMs, long maxMs) {
    this.retryBaseMs = baseMs;
    this.retryMaxMs = maxMs;
  }

  boolean exists(String channelId) { return byId.containsKey(channelId); }

  /** The number of the channel's latest message (queued or sent), or -1 when the channel is unknown. */
  long lastNumber(String channelId) {
    Channel c = byId.get(channelId);
    if (c == null) return -1;
    synchronized (c) {
      return c.messageNumber;
    }
  }

  void add(Channel c) {
    byId.put(c.id, c);
    enqueue(c, "sync", false);
    byCalendar.computeIfAbsent(c.calendarId, k -> new CopyOnWriteArrayList<>()).add(c);
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
      enqueue(c, "exists", true);
    }
  }

  private synchronized int rngNext() { return rng.nextInt(3); }

  /** Numbers the message and queues it; starts delivery when nothing is in flight. */
  private void enqueue(Channel c, String state, boolean advance) {
    synchronized (c) {
      if (advance) c.messageNumber += 1 + rngNext();
      if (c.queue.size() >= MAX_QUEUED && "exists".equals(c.queue.peekLast().state())) {
        c.queue.pollLast(); // a stalled endpoint: the newest "exists" stands for the ones it replaces
      }
      c.queue.add(new Message(state, c.messageNumber, System.currentTimeMillis()));
      if (c.inFlight) return;
      c.inFlight = true;
    }
    deliverNext(c);
  }

  private void deliverNext(Channel c) {
    Message m;
    synchronized (c) {
      m = byId.get(c.id) == c ? c.queue.poll() : null;
      if (m == null) {
        c.queue.clear();
        c.inFlight = false;
        return;
      }
    }
    attempt(c, m, 0);
  }

  private void attempt(Channel c, Message m, int retries) {
    send(c, m).onComplete(ar -> {
      int status = ar.succeeded() ? ar.result() : -1;
      if (retryable(status) && retries < MAX_RETRIES && byId.get(c.id) == c) {
        long delay = Math.min(retryMaxMs, retryBaseMs << Math.min(retries, 30));
        vertx.setTimer(Math.max(1, delay), t -> attempt(c, m, retries + 1));
        return;
      }
      if (ar.succeeded()) stats.notificationSent(System.currentTimeMillis() - m.createdAtMillis());
      else LOG.debug("notification {} to {} failed: {}", m.number(), c.address, ar.cause().toString());
      deliverNext(c);
    });
  }

  private static boolean retryable(int status) {
    return status == 500 || status == 502 || status == 503 || status == 504;
  }

  private Future<Integer> send(Channel c, Message m) {
    HttpRequest<Buffer> req = client.postAbs(c.address)
      .putHeader("X-Goog-Channel-ID", c.id)
      .putHeader("X-Goog-Channel-Expiration", EXPIRATION.format(Instant.ofEpochMilli(c.expirationMs)))
      .putHeader("X-Goog-Resource-ID", c.resourceId)
      .putHeader("X-Goog-Resource-URI", c.resourceUri)
      .putHeader("X-Goog-Resource-State", m.state())
      .putHeader("X-Goog-Message-Number", Long.toString(m.number()))
      .putHeader(HttpHeaders.CONTENT_TYPE.toString(), "application/json; utf-8")
      .putHeader(HttpHeaders.USER_AGENT.toString(), "APIs-Google");
    if (c.token != null) req.putHeader("X-Goog-Channel-Token", c.token);
    return req.sendBuffer(Buffer.buffer()).map(r -> r.statusCode());
  }

  void close() { client.close(); }
}
