package org.calsync.push;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.calsync.bus.FailureCode;
import org.calsync.config.PushConfig;
import org.calsync.google.Google;
import org.calsync.google.GoogleApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.calsync.crypto.Secrets;

/**
 * Opens and stops Google push channels. Opening: a fresh channel id (UUID) and token, the row written first (token
 * hash only), then events.watch with address push.webhookUrl and params.ttl = push.ttlSeconds; the row gets Google's
 * resourceId and expiration, or is marked stopped ("watch_failed") when the call fails. Stopping: channels.stop after
 * the row was claimed; failures are logged only (the row is already stopped, so its notifications are refused).
 * Calls go through {@link Google} (throttle, retries, one forced token refresh on 401), which also bounds how many
 * run at once.
 */
final class ChannelKeeper {
  private static final Logger log = LoggerFactory.getLogger(ChannelKeeper.class);
  private static final int BATCH = 200;
  private static final int RETENTION_DAYS = 30;

  private final PushConfig config;
  private final Channels channels;
  private final Google google;
  private final PushMetrics metrics;

  ChannelKeeper(PushConfig config, Channels channels, Google google, PushMetrics metrics) {
    this.config = config;
    this.channels = channels;
    this.google = google;
    this.metrics = metrics;
  }

  /**
   * One pass: stop what is due, open what is missing or due for renewal, forget old stopped rows, refresh gauges.
   * True when a batch was full (more work is waiting: run another pass at once).
   */
  Future<Boolean> pass() {
    boolean[] more = new boolean[1];
    return channels.claimDue(BATCH)
        .compose(due -> {
          more[0] = due.size() == BATCH;
          return forEach(due, this::stopAtGoogle);
        })
        .compose(v -> channels.needingChannel(config.renewBeforeSeconds(), BATCH))
        .compose(targets -> {
          more[0] |= targets.size() == BATCH;
          return forEach(targets, this::open);
        })
        .compose(v -> channels.purgeStopped(RETENTION_DAYS))
        .compose(v -> refreshStats())
        .map(v -> more[0]);
  }

  Future<Void> refreshStats() {
    return channels.stats(config.renewBeforeSeconds()).onSuccess(metrics::channels).mapEmpty();
  }

  /** Stops every live channel of an integration (reason: its new status). */
  Future<Integer> stopIntegration(long integrationId, String reason) {
    return channels.claimOfIntegration(integrationId, reason).compose(list -> {
      if (!list.isEmpty()) log.info("push channels stopped integration={} count={} reason={}", integrationId, list.size(), reason);
      return forEach(list, this::stopAtGoogle).map(v -> list.size());
    });
  }

  Future<Void> open(Channels.Target t) {
    String id = UUID.randomUUID().toString();
    String token = Secrets.randomToken();
    long expiresMs = System.currentTimeMillis() + config.ttlSeconds() * 1000;
    JsonObject body = new JsonObject().put("id", id).put("type", "web_hook").put("address", config.webhookUrl())
        .put("token", token).put("expiration", Long.toString(expiresMs))
        .put("params", new JsonObject().put("ttl", Long.toString(config.ttlSeconds())));
    return channels.insertPending(id, t.calendarId(), Secrets.sha256(token), at(expiresMs))
        .compose(v -> google.call(t.integrationId()).watch(t.googleCalendarId(), body))
        .compose(resp -> {
          metrics.channelOp("watch", true);
          long exp = expiration(resp.getValue("expiration"), expiresMs);
          log.info("push channel opened integration={} calendar={} channel={} expires={}", t.integrationId(), t.calendarId(),
              id, Instant.ofEpochMilli(exp));
          return channels.confirm(id, resp.getString("resourceId"), at(exp));
        }, err -> {
          metrics.channelOp("watch", false);
          log.warn("push channel not opened integration={} calendar={}: {}", t.integrationId(), t.calendarId(), err.getMessage());
          return channels.markStopped(id, "watch_failed").transform(x -> Future.failedFuture(err));
        })
        .recover(err -> Future.succeededFuture());
  }

  private Future<Void> stopAtGoogle(Channels.Stopped s) {
    if (s.resourceId() == null) return Future.succeededFuture();
    return google.call(s.integrationId()).stopChannel(s.id(), s.resourceId())
        .recover(err -> err instanceof GoogleApiException g && g.status() == 404 ? Future.succeededFuture() : Future.failedFuture(err))
        .onSuccess(v -> {
          metrics.channelOp("stop", true);
          log.info("push channel stopped integration={} channel={} reason={}", s.integrationId(), s.id(), s.reason());
        })
        .recover(err -> {
          metrics.channelOp("stop", false);
          boolean reconnect = err instanceof ReplyException re && re.failureCode() == FailureCode.NEEDS_RECONNECT;
          log.info("push channel {} marked stopped (reason {}); channels.stop not done: {}", s.id(), s.reason(),
              reconnect ? "the integration needs reconnecting" : err.getMessage());
          return Future.succeededFuture();
        });
  }

  /** Runs op over all items (the throttle bounds how many calls run at once); op never fails the whole. */
  private static <T> Future<Void> forEach(List<T> items, Function<T, Future<Void>> op) {
    List<Future<Void>> fs = new ArrayList<>(items.size());
    for (T item : items) fs.add(op.apply(item).recover(e -> Future.succeededFuture()));
    return Future.join(fs).mapEmpty();
  }

  /** Google's expiration: an int64 as a string (discovery) or a number (docs sample); fallback when absent/odd. */
  static long expiration(Object value, long fallback) {
    if (value instanceof Number n) return n.longValue();
    if (value instanceof String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        return fallback;
      }
    }
    return fallback;
  }

  private static OffsetDateTime at(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).atOffset(ZoneOffset.UTC);
  }
}
