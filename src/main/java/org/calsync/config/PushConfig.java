package org.calsync.config;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Section "push": Google push notifications (events.watch channels per calendar, webhook at /webhooks/google on the
 * ops HTTP server). Polling stays the fallback whether or not push is on.
 * <ul>
 *   <li>enabled: open channels and accept notifications (default false: Google needs a public HTTPS URL)</li>
 *   <li>webhookUrl: the public URL Google posts to, ending in /webhooks/google; required when enabled. Google
 *       accepts only https with a valid certificate (the emulator also accepts http)</li>
 *   <li>ttlSeconds: requested channel lifetime (default 604800 = 7 days, Google's usual cap)</li>
 *   <li>renewBeforeSeconds: open a successor channel this long before expiry (default 86400; less than ttlSeconds;
 *       never later than half a channel's actual lifetime)</li>
 *   <li>debounceMs: a notification queues a push-priority sync due this much later, so bursts coalesce
 *       (default 2000)</li>
 *   <li>checkSeconds: how often the channel keeper opens missing channels, renews and stops (default 60)</li>
 * </ul>
 */
public record PushConfig(boolean enabled, String webhookUrl, long ttlSeconds, long renewBeforeSeconds, long debounceMs,
                         long checkSeconds) {
  static PushConfig fromJson(JsonObject root) {
    Json j = new Json(root, "push");
    boolean enabled = j.bool("enabled", false);
    String url = j.string("webhookUrl", "");
    if (enabled) {
      url = j.required("webhookUrl", "set the public https URL of this daemon's /webhooks/google");
      checkUrl(j, url);
    }
    long ttl = j.integer("ttlSeconds", 604_800, 1, 604_800);
    long renew = j.integer("renewBeforeSeconds", Math.min(86_400, ttl / 2), 0, 604_800);
    if (renew >= ttl) {
      throw new ConfigException(j.key("renewBeforeSeconds"), "is " + renew + ", not less than push.ttlSeconds (" + ttl + ")",
          "use a value below push.ttlSeconds, e.g. " + ttl / 4);
    }
    return new PushConfig(enabled, url, ttl, renew,
        j.integer("debounceMs", 2000, 0, 600_000),
        j.integer("checkSeconds", 60, 1, 86_400));
  }

  private static void checkUrl(Json j, String url) {
    try {
      URI u = new URI(url);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase();
      if ((scheme.equals("https") || scheme.equals("http")) && u.getHost() != null) return;
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new ConfigException(j.key("webhookUrl"), "is not an absolute http(s) URL: '" + url + "'",
        "use e.g. https://calsync.example.org/webhooks/google");
  }
}
