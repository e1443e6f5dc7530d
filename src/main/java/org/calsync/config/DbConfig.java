package org.calsync.config;

import io.vertx.core.json.JsonObject;

/**
 * Section "db".
 * <ul>
 *   <li>url: PostgreSQL URI, e.g. postgresql://calsync@127.0.0.1:5432/calsync (password via CALSYNC_DB_PASSWORD)</li>
 *   <li>password: optional; prefer the environment variable</li>
 *   <li>poolSize: connections per process (default 16)</li>
 * </ul>
 */
public record DbConfig(String url, String password, int poolSize) {
  static DbConfig fromJson(JsonObject root) {
    Json j = new Json(root, "db");
    String url = j.required("url", "set db.url (or CALSYNC_DB_URL) to postgresql://user@host:5432/dbname");
    if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
      throw new ConfigException("db.url", "must start with postgresql://, got '" + url.replaceAll(":[^:@/]*@", ":***@") + "'",
          "use postgresql://user@host:5432/dbname");
    }
    return new DbConfig(url, j.string("password", null), (int) j.integer("poolSize", 16, 1, 500));
  }

  public DbConfig withUrl(String newUrl) {
    return new DbConfig(newUrl, password, poolSize);
  }
}
