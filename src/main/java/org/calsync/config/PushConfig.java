package org.calsync.config;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Section "push": Google push notifications (events.watch channels per calendar, webhook POST /webhooks/google on its
 * own listener, apart from the ops endpoints of section "http"). Polling stays the fallback whether or not push is on.
 * <ul>
 *   <li>enabled: open channels and accept notifications (default false: Google needs a public HTTPS URL)</li>
 *   <li>webhookUrl: the public URL Google posts to, ending in /webhooks/google; required when enabled. Google
 *       accepts only https with a valid certificate (the emulator also accepts http)</li>
 *   <li>ttlSeconds: requested channel lifetime (default 604800 = 7 days, Google's usual cap)</li>
 *   <li>renewBeforeSeconds: open a successor channel this long before expiry (default 86400; less than ttlSeconds;
 *       never later than half a channel's actual lifetime)</li>
 *   <li>debounceMs: leading-edge debounce of push syncs per integration: a notification after a quiet spell queues a
 *       push-priority sync due at once; notifications within debounceMs of that sync's due time coalesce into one
 *       sync due debounceMs after it, so push syncs of one integration are at least this far apart (default 500)</li>
 *   <li>checkSeconds: how often the channel keeper opens missing channels, renews and stops (default 60)</li>
 *   <li>listenHost, listenPort: where the webhook listener binds (default 127.0.0.1:8443; 0 picks a free port). Only
 *       POST /webhooks/google is served there. Use 0.0.0.0 (with TLS) when Google reaches this process directly, or keep
 *       the default behind a TLS-terminating reverse proxy</li>
 *   <li>tlsCertFile, tlsKeyFile: PEM certificate chain and private key; when both are set the listener speaks HTTPS
 *       only (set both or neither; the files must be readable at start)</li>
 * </ul>
 */
public record PushConfig(boolean enabled, String webhookUrl, long ttlSeconds, long renewBeforeSeconds, long debounceMs,
                         long checkSeconds, String listenHost, int listenPort, String tlsCertFile, String tlsKeyFile) {
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
    String cert = pemFile(j, "tlsCertFile");
    String key = pemFile(j, "tlsKeyFile");
    if ((cert == null) != (key == null)) {
      String missing = cert == null ? "tlsCertFile" : "tlsKeyFile";
      throw new ConfigException(j.key(missing), "is missing while " + j.key(cert == null ? "tlsKeyFile" : "tlsCertFile") + " is set",
          "set both PEM files (certificate chain and private key) or neither");
    }
    return new PushConfig(enabled, url, ttl, renew,
        j.integer("debounceMs", 500, 0, 600_000),
        j.integer("checkSeconds", 60, 1, 86_400),
        j.string("listenHost", "127.0.0.1"), (int) j.integer("listenPort", 8443, 0, 65535), cert, key);
  }

  /** True when the webhook listener serves HTTPS. */
  public boolean tls() {
    return tlsCertFile != null;
  }

  private static String pemFile(Json j, String name) {
    String path = j.string(name, "");
    if (path.isBlank()) return null;
    if (!Files.isReadable(Path.of(path))) {
      throw new ConfigException(j.key(name), "names a file that cannot be read: '" + path + "'",
          "give the path of a readable PEM file");
    }
    return path;
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
