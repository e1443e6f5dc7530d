package org.calsync.config;

import io.vertx.core.json.JsonObject;
import java.net.URI;

/**
 * Section "google". Defaults are Google's production endpoints.
 * <ul>
 *   <li>apiBaseUrl: Calendar API root (default https://www.googleapis.com/calendar/v3)</li>
 *   <li>tokenUrl / revokeUrl: OAuth endpoints (default https://oauth2.googleapis.com/token and /revoke)</li>
 *   <li>clientId / clientSecret: the OAuth client (secret via CALSYNC_GOOGLE_CLIENT_SECRET)</li>
 *   <li>requestTimeoutMs: per-request timeout (default 30000)</li>
 *   <li>maxConnections: HTTP connections per Google host, and the most Calendar API calls in flight per process (the
 *       throttle lowers it while Google answers with rate limits); one WebClient serves sync, write-back, push
 *       channels and disconnects (default 256, 1..10000). Raise it with sync.maxConcurrent when Google is slow to
 *       answer.</li>
 *   <li>serviceAccountKeyFile: path of a service account's JSON key file, for Google Workspace domain-wide delegation
 *       (integrations connected with {@code connect --delegated}); read at start, never stored in the database;
 *       default "" (no delegated integrations). A file that cannot be read or is not such a key stops the start.</li>
 * </ul>
 */
public record GoogleConfig(String apiBaseUrl, String tokenUrl, String revokeUrl, String clientId, String clientSecret,
                           long requestTimeoutMs, int maxConnections, String serviceAccountKeyFile) {
  public static final String DEFAULT_API = "https://www.googleapis.com/calendar/v3";
  public static final String DEFAULT_TOKEN = "https://oauth2.googleapis.com/token";
  public static final String DEFAULT_REVOKE = "https://oauth2.googleapis.com/revoke";

  static GoogleConfig fromJson(JsonObject root) {
    Json j = new Json(root, "google");
    return new GoogleConfig(
        url(j, "apiBaseUrl", DEFAULT_API), url(j, "tokenUrl", DEFAULT_TOKEN), url(j, "revokeUrl", DEFAULT_REVOKE),
        j.required("clientId", "set google.clientId (or CALSYNC_GOOGLE_CLIENT_ID) to the OAuth client id"),
        j.required("clientSecret", "set CALSYNC_GOOGLE_CLIENT_SECRET in the service's environment file"),
        j.integer("requestTimeoutMs", 30_000, 100, 600_000),
        (int) j.integer("maxConnections", 256, 1, 10_000),
        j.string("serviceAccountKeyFile", "").trim());
  }

  /** Without a service account key file. */
  public GoogleConfig(String apiBaseUrl, String tokenUrl, String revokeUrl, String clientId, String clientSecret,
                      long requestTimeoutMs, int maxConnections) {
    this(apiBaseUrl, tokenUrl, revokeUrl, clientId, clientSecret, requestTimeoutMs, maxConnections, "");
  }

  private static String url(Json j, String name, String def) {
    String v = j.string(name, def);
    try {
      URI u = URI.create(v);
      if (u.getHost() == null || !(v.startsWith("http://") || v.startsWith("https://"))) throw new IllegalArgumentException();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(j.key(name), "is not an http(s) URL: '" + v + "'", "use a URL such as " + def);
    }
    return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
  }

  public GoogleConfig withEndpoints(String base) {
    return new GoogleConfig(base + "/calendar/v3", base + "/token", base + "/revoke", clientId, clientSecret, requestTimeoutMs,
        maxConnections, serviceAccountKeyFile);
  }

  @Override
  public String toString() {
    return "GoogleConfig[apiBaseUrl=" + apiBaseUrl + ", tokenUrl=" + tokenUrl + ", clientId=" + clientId + ", clientSecret=***, serviceAccountKeyFile=" + serviceAccountKeyFile + "]";
  }
}
