package org.calsync.push;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Push meters:
 * calsync_push_notifications_total{outcome} (queued, sync, replay, ignored, unknown_channel, stopped_channel,
 * expired_channel, inactive_integration, forged, resource_mismatch, bad_request, busy, error);
 * calsync_push_channel_ops_total{op=watch|stop, outcome=ok|failed};
 * calsync_push_channels{state=active|expiring|expired|stopped} and calsync_push_next_expiry_seconds (-1 when no live
 * channel), refreshed from the database by the channel keeper.
 */
final class PushMetrics {
  static final String[] STATES = {"active", "expiring", "expired", "stopped"};

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final AtomicReference<JsonObject> channelStats = new AtomicReference<>(new JsonObject());

  PushMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (String state : STATES) {
      Gauge.builder("calsync.push.channels", channelStats, s -> number(s.get(), state))
          .description("Push channels by state").tag("state", state).register(registry);
    }
    Gauge.builder("calsync.push.next.expiry.seconds", channelStats, s -> number(s.get(), "nextExpirySeconds"))
        .description("Seconds until the next live push channel expires").register(registry);
  }

  void notification(String outcome) {
    counters.computeIfAbsent("n|" + outcome, k -> Counter.builder("calsync.push.notifications")
        .description("Webhook notifications by outcome").tag("outcome", outcome).register(registry)).increment();
  }

  void channelOp(String op, boolean ok) {
    String outcome = ok ? "ok" : "failed";
    counters.computeIfAbsent("c|" + op + "|" + outcome, k -> Counter.builder("calsync.push.channel.ops")
        .description("events.watch / channels.stop calls by outcome").tag("op", op).tag("outcome", outcome)
        .register(registry)).increment();
  }

  void channels(JsonObject stats) {
    channelStats.set(stats);
  }

  private static double number(JsonObject o, String field) {
    Number n = (Number) o.getValue(field);
    return n == null ? Double.NaN : n.doubleValue();
  }
}
