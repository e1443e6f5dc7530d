package org.calsync.notices;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.calsync.config.NoticesConfig;
import org.calsync.db.Notices;
import org.calsync.db.Notices.Claimed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes notices to notices.webhookUrl, at least once, following the Standard Webhooks convention: a POST of the
 * notice as JSON (as GET /v1/notices lists it) with headers webhook-id (the notice id: deduplicate on it),
 * webhook-timestamp (epoch seconds) and webhook-signature {@code v1,<base64 HMAC-SHA256 over "id.timestamp.body">}
 * keyed with the base64 part of the {@code whsec_} secret. Due rows are claimed with FOR UPDATE SKIP LOCKED, so any
 * number of processes can send without sending a notice twice in a normal run; a process that dies mid-delivery
 * leaves its claim to lapse and the notice is sent again. A 2xx answer is delivered; anything else (other status,
 * timeout, refused connection) is retried after the next delay of notices.retrySchedule, and after the last one the
 * notice is dead (kept; status and calsync_notices_dead show it). Runs on the relay's context; the secret is never
 * logged.
 */
final class WebhookSender {
  private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
  private static final long STATS_MS = 5000;

  private final Vertx vertx;
  private final NoticesConfig config;
  private final Pool pool;
  private final WebClient client;
  private final byte[] key;
  private final double leaseSeconds;
  private final AtomicReference<JsonObject> stats = new AtomicReference<>(new JsonObject());
  private int inFlight;
  private boolean claiming;
  private boolean stopped;
  private long lastClaimWarning;

  WebhookSender(Vertx vertx, NoticesConfig config, Pool pool, MeterRegistry registry) {
    config.requireSecret();
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
    this.key = NoticesConfig.key(config.webhookSecret());
    this.leaseSeconds = 2 * config.timeoutMs() / 1000.0 + 5; // an attempt ends by its timeout, then one update
    this.client = WebClient.create(vertx, new WebClientOptions().setUserAgent("calsync-notices").setKeepAlive(true)
        .setConnectTimeout(config.timeoutMs()), new PoolOptions().setHttp1MaxSize(config.concurrency()));
    gauge(registry, "calsync_notices_pending", "pending", "notices not yet delivered to the webhook");
    gauge(registry, "calsync_notices_dead", "dead", "notices the webhook never took (retry schedule ended)");
    gauge(registry, "calsync_notices_oldest_pending_seconds", "oldestPendingSeconds", "age of the oldest undelivered notice");
    vertx.setPeriodic(0, STATS_MS, t -> {
      if (!stopped) Notices.stats(pool, 0).onSuccess(stats::set);
    });
  }

  /** Claims and sends due notices while there is room; called on every new notice and every poll. */
  void kick() {
    if (claiming || stopped) return;
    int room = config.concurrency() - inFlight;
    if (room <= 0) return;
    claiming = true;
    Notices.claim(pool, room, leaseSeconds).onComplete(ar -> {
      claiming = false;
      if (ar.failed()) {
        if (System.currentTimeMillis() - lastClaimWarning > 60_000) {
          lastClaimWarning = System.currentTimeMillis();
          log.warn("claiming notices for the webhook failed (retried at the next poll): {}", ar.cause().getMessage());
        }
        return;
      }
      for (Claimed c : ar.result()) {
        inFlight++;
        deliver(c).onComplete(x -> {
          inFlight--;
          // claim again once half the room is free, so claims come in batches while a backlog drains
          if (inFlight <= config.concurrency() / 2) kick();
        });
      }
    });
  }

  void stop() {
    stopped = true;
    client.close();
  }

  private Future<Void> deliver(Claimed c) {
    String id = Long.toString(c.notice().id());
    long timestamp = System.currentTimeMillis() / 1000;
    String body = c.notice().toJson().encode();
    return client.postAbs(config.webhookUrl()).timeout(config.timeoutMs())
        .putHeader("Content-Type", "application/json")
        .putHeader("webhook-id", id)
        .putHeader("webhook-timestamp", Long.toString(timestamp))
        .putHeader("webhook-signature", sign(key, id, timestamp, body))
        .sendBuffer(Buffer.buffer(body))
        .transform(ar -> {
          if (ar.succeeded() && ar.result().statusCode() / 100 == 2) return Notices.delivered(pool, c.notice().id());
          String error = ar.succeeded() ? "HTTP " + ar.result().statusCode()
              : ar.cause().getClass().getSimpleName() + ": " + ar.cause().getMessage();
          Duration next = c.attempt() <= config.retrySchedule().size() ? config.retrySchedule().get(c.attempt() - 1) : null;
          if (next == null) {
            log.warn("notice {} dead after {} webhook attempts: {}", id, c.attempt(), error);
          } else if (c.attempt() == 1 || log.isDebugEnabled()) {
            log.info("notice {} webhook attempt {} failed, retried in {}: {}", id, c.attempt(), next, error);
          }
          return Notices.attemptFailed(pool, c.notice().id(), error, next == null ? null : next.toMillis() / 1000.0);
        })
        .recover(e -> {
          log.warn("recording the delivery of notice {} failed (sent again when its claim lapses): {}", id, e.getMessage());
          return Future.succeededFuture();
        });
  }

  /** The Standard Webhooks signature header value: {@code v1,} + base64(HMAC-SHA256(key, id.timestamp.body)). */
  static String sign(byte[] key, String id, long timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] sig = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(sig);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private void gauge(MeterRegistry registry, String name, String field, String description) {
    Gauge.builder(name, stats, s -> {
      Number n = (Number) s.get().getValue(field);
      return n == null ? Double.NaN : n.doubleValue();
    }).description(description).register(registry);
  }
}
