package org.calsync.config;

import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;

/**
 * Section "db".
 * <ul>
 *   <li>url: PostgreSQL URI, e.g. postgresql://calsync@127.0.0.1:5432/calsync (password via CALSYNC_DB_PASSWORD)</li>
 *   <li>password: optional; prefer the environment variable</li>
 *   <li>poolSize: connections per process (default 16); a process serving conflict checks opens up to 4 more of its
 *       own for them (booking/CheckBatch), and one serving the push webhook 2 more (push/PushVerticle)</li>
 * </ul>
 */
public record DbConfig(String url, String password, int poolSize) {
  static DbConfig fromJson(JsonObject root) {
    Json j = new Json(root, "db");
    String url = j.required("url", "set db.url (or CALSYNC_DB_URL) to postgresql://user@host:5432/dbname");
    if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
      throw new ConfigException("db.url", "must start with postgresql://, got '" + redacted(url) + "'",
          "use postgresql://user@host:5432/dbname");
    }
    try {
      PgConnectOptions.fromUri(url);
    } catch (RuntimeException e) {
      throw new ConfigException("db.url", "cannot be parsed: '" + redacted(url) + "'",
          "use postgresql://user@host:5432/dbname (password via CALSYNC_DB_PASSWORD)");
    }
    return new DbConfig(url, j.string("password", null), (int) j.integer("poolSize", 16, 1, 500));
  }

  /**
   * The URL with any password hidden, for error messages: the user-info after the user name (up to the last '@') and
   * password= query values become ***.
   */
  public static String redacted(String url) {
    String out = url;
    int start = out.indexOf("://");
    int at = out.lastIndexOf('@');
    if (start >= 0 && at > start) {
      int colon = out.indexOf(':', start + 3);
      if (colon >= 0 && colon < at) out = out.substring(0, colon + 1) + "***" + out.substring(at);
    }
    return out.replaceAll("(?i)(password=)[^&]*", "$1***");
  }

  public DbConfig withUrl(String newUrl) {
    return new DbConfig(newUrl, password, poolSize);
  }
}
