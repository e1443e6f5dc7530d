package org.calsync.push;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.calsync.bus.Addresses;
import org.calsync.config.PushConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POST /webhooks/google: Google's push notifications (no body; everything is in X-Goog-* headers).
 * <ul>
 *   <li>400: X-Goog-Channel-ID, X-Goog-Resource-ID, X-Goog-Resource-State or X-Goog-Message-Number missing or malformed</li>
 *   <li>404: unknown channel id (answered from {@link KnownChannels}, no database query)</li>
 *   <li>401: X-Goog-Channel-Token missing or not the channel's token (SHA-256 compared in constant time, from memory);
 *       audited at most once a minute per channel and reason ({@link RefusalAudit})</li>
 *   <li>410: channel stopped or expired, or its integration is not active</li>
 *   <li>403: token right but X-Goog-Resource-ID is not the watched resource; audited like 401</li>
 *   <li>200: accepted. "sync" (channel created) does nothing; "exists"/"not_exists" upsert a sync job at push priority
 *       due when {@link PushSpacing} says: now when the integration had no push sync due in the last push.debounceMs
 *       (leading edge), else push.debounceMs after the previous one; then wake the workers when due. One job per
 *       integration: notifications while it waits join it, while it runs they mark one more run (a burst coalesces). A
 *       message number not larger than the last one accepted on the channel (replay, or late out-of-order) is ignored.</li>
 *   <li>503: the database could not be reached, or too many unknown channel ids wait for a refresh; nothing was
 *       recorded, Google may retry</li>
 * </ul>
 * Only a notification with the right token reaches the database. Nothing is queued for any refused notification. The
 * job and the message number are committed together before the 200 goes out ({@link NotificationBatch}: notifications
 * arriving together share one transaction).
 */
final class WebhookHandler implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(WebhookHandler.class);

  private final Vertx vertx;
  private final PushConfig config;
  private final Channels channels;
  private final KnownChannels known;
  private final RefusalAudit refusals;
  private final PushMetrics metrics;
  private final Set<Long> wakePending = ConcurrentHashMap.newKeySet();
  private final PushSpacing spacing;
  private final NotificationBatch batch;

  WebhookHandler(Vertx vertx, PushConfig config, Channels channels, KnownChannels known, PushMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.channels = channels;
    this.known = known;
    this.refusals = new RefusalAudit(vertx);
    this.metrics = metrics;
    this.spacing = new PushSpacing(config.debounceMs());
    this.batch = new NotificationBatch(channels.pool());
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String channelId = req.getHeader("X-Goog-Channel-ID");
    String resourceId = req.getHeader("X-Goog-Resource-ID");
    String state = req.getHeader("X-Goog-Resource-State");
    Long number = parseNumber(req.getHeader("X-Goog-Message-Number"));
    if (blank(channelId) || blank(resourceId) || blank(state) || number == null) {
      end(ctx, 400, "bad_request");
      return;
    }
    if (channelId.length() > 64) {
      end(ctx, 404, "unknown_channel");
      return;
    }
    String token = req.getHeader("X-Goog-Channel-Token");
    known.lookup(channelId).compose(k -> {
      if (k == null) return end(ctx, 404, "unknown_channel");
      if (!ChannelTokens.matches(token, k.tokenHash())) {
        refusals.refused(channelId, k.integrationId(), token == null ? "missing_token" : "token_mismatch", remote(ctx));
        return end(ctx, 401, "forged");
      }
      return channels.find(channelId).compose(ch -> {
        if (ch == null) known.forget(channelId);
        return judge(ctx, ch, resourceId, state, number);
      });
    }).onFailure(err -> {
      if (!(err instanceof KnownChannels.Busy)) log.warn("webhook for channel {} not processed: {}", channelId, err.getMessage());
      end(ctx, 503, err instanceof KnownChannels.Busy ? "busy" : "error");
    });
  }

  private Future<Void> judge(RoutingContext ctx, Channels.Channel ch, String resourceId, String state, long number) {
    if (ch == null) return end(ctx, 404, "unknown_channel");
    if (ch.stopped()) return end(ctx, 410, "stopped_channel");
    if (ch.expired()) return end(ctx, 410, "expired_channel");
    if (ch.resourceId() != null && !ch.resourceId().equals(resourceId)) {
      refusals.refused(ch.id(), ch.integrationId(), "resource_mismatch", remote(ctx));
      return end(ctx, 403, "resource_mismatch");
    }
    if (!"active".equals(ch.integrationStatus())) return end(ctx, 410, "inactive_integration");
    if (number <= ch.lastMessageNumber()) return end(ctx, 200, "replay");
    switch (state) {
      case "sync":
        return channels.recordMessage(ch.id(), number).compose(v -> end(ctx, 200, "sync"));
      case "exists", "not_exists":
        long now = System.currentTimeMillis();
        long dueMillis = spacing.due(ch.integrationId(), now);
        OffsetDateTime due = OffsetDateTime.ofInstant(Instant.ofEpochMilli(dueMillis), ZoneOffset.UTC);
        return batch.add(ch.integrationId(), due, ch.id(), number)
            .compose(v -> {
              wake(ch.integrationId(), dueMillis - now);
              return end(ctx, 200, "queued");
            });
      default:
        log.info("webhook: channel {} sent unknown resource state '{}'; ignored", ch.id(), state);
        return channels.recordMessage(ch.id(), number).compose(v -> end(ctx, 200, "ignored"));
    }
  }

  /** Publishes JOBS_AVAILABLE when the job is due (at once when due now); one pending delayed wake-up per integration. */
  private void wake(long integrationId, long inMillis) {
    if (inMillis <= 0) {
      vertx.eventBus().publish(Addresses.JOBS_AVAILABLE, new JsonObject());
      return;
    }
    if (!wakePending.add(integrationId)) return;
    vertx.setTimer(inMillis, id -> {
      wakePending.remove(integrationId);
      vertx.eventBus().publish(Addresses.JOBS_AVAILABLE, new JsonObject());
    });
  }

  private static String remote(RoutingContext ctx) {
    return ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
  }

  private Future<Void> end(RoutingContext ctx, int status, String outcome) {
    metrics.notification(outcome);
    if (!ctx.response().ended()) ctx.response().setStatusCode(status).end();
    return Future.succeededFuture();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static Long parseNumber(String s) {
    if (s == null) return null;
    try {
      long n = Long.parseLong(s.trim());
      return n >= 0 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
