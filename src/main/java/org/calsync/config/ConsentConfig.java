package org.calsync.config;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Section "consent": practitioners connect and reconnect through Google's consent flow (token.ConsentVerticle). The
 * link pages and the OAuth callback are served on a public listener of their own (the practitioner's browser must reach
 * it; the API and ops listeners stay internal).
 * <ul>
 *   <li>enabled: serve the consent pages and {@code POST /v1/connect-links} (default false)</li>
 *   <li>publicBaseUrl: the URL under which browsers reach that listener (e.g. https://calsync.clinic.example), required
 *       when enabled; links are {@code <publicBaseUrl>/connect/<token>} and Google redirects to
 *       {@code <publicBaseUrl>/connect/callback}, which must be an authorized redirect URI of the OAuth client</li>
 *   <li>listenHost, listenPort: where that listener binds (default 127.0.0.1:8444; 0 picks a free port), plain HTTP
 *       behind the TLS-terminating reverse proxy that serves publicBaseUrl</li>
 *   <li>returnUrlAllowList: comma-separated URL prefixes (scheme, host, port and path prefix) a link's returnUrl must
 *       start with (default empty: only URLs of publicBaseUrl's own origin)</li>
 *   <li>linkTtl: how long an unopened link stays valid, ISO-8601 duration (default P7D, long enough for an e-mailed
 *       reconnect link; at most P30D)</li>
 *   <li>authorizationUrl, jwksUrl: Google's authorization endpoint and ID-token keys (defaults
 *       https://accounts.google.com/o/oauth2/v2/auth and https://www.googleapis.com/oauth2/v3/certs)</li>
 * </ul>
 */
public record ConsentConfig(boolean enabled, String publicBaseUrl, String listenHost, int listenPort,
                            List<String> returnUrlAllowList, Duration linkTtl, String authorizationUrl, String jwksUrl) {
  public static final String DEFAULT_AUTHORIZATION = "https://accounts.google.com/o/oauth2/v2/auth";
  public static final String DEFAULT_JWKS = "https://www.googleapis.com/oauth2/v3/certs";

  static ConsentConfig fromJson(JsonObject root) {
    Json j = new Json(root, "consent");
    boolean enabled = j.bool("enabled", false);
    String base = j.string("publicBaseUrl", "");
    if (enabled) base = j.required("publicBaseUrl", "set the https URL under which browsers reach the consent listener");
    if (!base.isBlank()) base = strip(url(j, "publicBaseUrl", base));
    List<String> allow = new ArrayList<>();
    for (String s : j.string("returnUrlAllowList", "").split(",")) {
      if (!s.isBlank()) allow.add(url(j, "returnUrlAllowList", s.trim()));
    }
    Duration ttl;
    String ttlText = j.string("linkTtl", "P7D");
    try {
      ttl = Duration.parse(ttlText.toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new ConfigException(j.key("linkTtl"), "is not an ISO-8601 duration: '" + ttlText + "'", "write e.g. P7D or PT12H");
    }
    if (ttl.compareTo(Duration.ofMinutes(1)) < 0 || ttl.compareTo(Duration.ofDays(30)) > 0) {
      throw new ConfigException(j.key("linkTtl"), "is " + ttlText + ", out of range", "use a duration between PT1M and P30D");
    }
    return new ConsentConfig(enabled, base, j.string("listenHost", "127.0.0.1"), (int) j.integer("listenPort", 8444, 0, 65535),
        List.copyOf(allow), ttl, strip(url(j, "authorizationUrl", j.string("authorizationUrl", DEFAULT_AUTHORIZATION))),
        strip(url(j, "jwksUrl", j.string("jwksUrl", DEFAULT_JWKS))));
  }

  /** The OAuth redirect URI (register it on the OAuth client in Google Cloud). */
  public String callbackUrl() {
    return publicBaseUrl + "/connect/callback";
  }

  /**
   * Whether a link may send the browser back to {@code returnUrl}: it starts with an allow-list entry, or (empty list)
   * it has publicBaseUrl's origin.
   */
  public boolean allowsReturnUrl(String returnUrl) {
    URI u;
    try {
      u = new URI(returnUrl);
    } catch (Exception e) {
      return false;
    }
    if (u.getHost() == null || u.getRawUserInfo() != null || u.getFragment() != null
        || !("https".equals(u.getScheme()) || "http".equals(u.getScheme()))) return false;
    if (returnUrlAllowList.isEmpty()) return origin(u).equals(origin(URI.create(publicBaseUrl)));
    String normalized = origin(u) + (u.getRawPath() == null ? "" : u.getRawPath());
    for (String prefix : returnUrlAllowList) {
      URI p = URI.create(prefix);
      String path = p.getRawPath() == null ? "" : p.getRawPath();
      if (normalized.startsWith(origin(p) + path) && (path.endsWith("/") || path.isEmpty()
          || normalized.length() == (origin(p) + path).length() || normalized.charAt((origin(p) + path).length()) == '/')) {
        return true;
      }
    }
    return false;
  }

  private static String origin(URI u) {
    int port = u.getPort() != -1 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
    return u.getScheme().toLowerCase(Locale.ROOT) + "://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + port;
  }

  private static String url(Json j, String name, String v) {
    try {
      URI u = new URI(v);
      if (u.getHost() != null && ("https".equals(u.getScheme()) || "http".equals(u.getScheme()))) return v;
    } catch (Exception e) {
      // reported below
    }
    throw new ConfigException(j.key(name), "is not an http(s) URL: '" + v + "'", "use a URL such as https://emr.clinic.example/");
  }

  private static String strip(String v) {
    return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
  }
}
