package org.calsync.config;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Section "notices": the durable notices (outbox table {@code notices}; pull at GET /v1/notices, push by webhook).
 * <ul>
 *   <li>webhookUrl: http(s) URL that receives every notice as a signed POST (Standard Webhooks: webhook-id,
 *       webhook-timestamp, webhook-signature); empty (default) pushes nothing. The signing secret is never read from the
 *       file: set the environment variable {@value #SECRET_ENV} to {@code whsec_<base64 key>}; a webhookUrl without it
 *       stops the start</li>
 *   <li>retrySchedule: delays between delivery attempts, comma-separated, units ms/s/m/h/d (default
 *       {@value #DEFAULT_SCHEDULE}, about 3 days); after the last one fails the notice is dead (kept, shown by status
 *       and calsync_notices_dead)</li>
 *   <li>timeoutMs: one delivery attempt's timeout (default 10000)</li>
 *   <li>pollMs: how often the relay and the webhook sender look for new rows besides LISTEN/NOTIFY (default 1000)</li>
 *   <li>concurrency: webhook deliveries in flight per process (default 8)</li>
 *   <li>retentionDays: notices older than this are deleted by the daily cleanup, whatever their delivery status
 *       (default 30; the retry schedule must end well before)</li>
 * </ul>
 */
public record NoticesConfig(String webhookUrl, List<Duration> retrySchedule, int timeoutMs, int pollMs, int concurrency,
                            int retentionDays, String webhookSecret) {
  /** The environment variable holding the webhook signing secret. */
  public static final String SECRET_ENV = "CALSYNC_NOTICES_WEBHOOK_SECRET";
  static final String DEFAULT_SCHEDULE = "5s,5m,30m,2h,5h,10h,10h,10h,10h,10h,14h";

  static NoticesConfig fromJson(JsonObject root) {
    Json j = new Json(root, "notices");
    String url = j.string("webhookUrl", "").trim();
    if (!url.isEmpty()) {
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException e) {
        uri = null;
      }
      if (uri == null || uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new ConfigException(j.key("webhookUrl"), "is not an http(s) URL: '" + url + "'",
            "use e.g. https://emr.example.org/calsync/notices, or leave it empty to push nothing");
      }
    }
    List<Duration> schedule = schedule(j.key("retrySchedule"), j.string("retrySchedule", DEFAULT_SCHEDULE));
    return new NoticesConfig(url, schedule, (int) j.integer("timeoutMs", 10_000, 100, 300_000),
        (int) j.integer("pollMs", 1000, 10, 60_000), (int) j.integer("concurrency", 8, 1, 256),
        (int) j.integer("retentionDays", 30, 1, 3650), null);
  }

  /** This config with the webhook secret taken from the environment (null when unset). */
  NoticesConfig withSecretFrom(Map<String, String> env) {
    return withWebhookSecret(env.get(SECRET_ENV));
  }

  /** This config with the given webhook secret ({@code whsec_<base64>}); checked here, never logged. */
  public NoticesConfig withWebhookSecret(String secret) {
    if (secret != null && !secret.isBlank()) key(secret);
    return new NoticesConfig(webhookUrl, retrySchedule, timeoutMs, pollMs, concurrency, retentionDays,
        secret == null || secret.isBlank() ? null : secret.trim());
  }

  public boolean webhook() {
    return !webhookUrl.isEmpty();
  }

  /** Stops the start when a webhook is configured without its secret. */
  public void requireSecret() {
    if (webhook() && webhookSecret == null) {
      throw new ConfigException(SECRET_ENV, "is not set while notices.webhookUrl is",
          "export " + SECRET_ENV + "=whsec_<base64 key, at least 24 bytes> (the receiver verifies with the same value), "
              + "or clear notices.webhookUrl");
    }
  }

  /** The HMAC key bytes of a {@code whsec_<base64>} secret. */
  public static byte[] key(String secret) {
    String s = secret.trim();
    byte[] key;
    try {
      key = Base64.getDecoder().decode(s.startsWith("whsec_") ? s.substring(6) : "!");
    } catch (IllegalArgumentException e) {
      key = null;
    }
    if (key == null || key.length < 24) {
      throw new ConfigException(SECRET_ENV, "is not whsec_ followed by base64 of at least 24 bytes",
          "generate one, e.g. echo whsec_$(openssl rand -base64 32)");
    }
    return key;
  }

  @Override
  public String toString() {
    return "NoticesConfig[webhookUrl=" + webhookUrl + ", retrySchedule=" + retrySchedule + ", timeoutMs=" + timeoutMs
        + ", pollMs=" + pollMs + ", concurrency=" + concurrency + ", retentionDays=" + retentionDays
        + ", webhookSecret=" + (webhookSecret == null ? "unset" : "set") + "]";
  }

  private static List<Duration> schedule(String key, String value) {
    List<Duration> out = new ArrayList<>();
    for (String part : value.split(",")) {
      String p = part.trim();
      var m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h|d)").matcher(p);
      if (!m.matches()) {
        throw new ConfigException(key, "has '" + p + "', not a delay", "write delays like 5s,5m,30m,2h (units ms, s, m, h, d)");
      }
      long n = Long.parseLong(m.group(1));
      out.add(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      });
    }
    if (out.size() > 100) throw new ConfigException(key, "has " + out.size() + " delays", "use at most 100");
    return List.copyOf(out);
  }
}
