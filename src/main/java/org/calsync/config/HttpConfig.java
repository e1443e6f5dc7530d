package org.calsync.config;

import io.vertx.core.json.JsonObject;

/**
 * Section "http": the ops endpoint (/health, /ready, /metrics). The push webhook has its own listener (section "push").
 * <ul>
 *   <li>host (default 127.0.0.1: keep it private), port (default 8080; 0 picks a free port)</li>
 *   <li>metricsRefreshSeconds: how often the database-backed gauges of /metrics are read, by one statement, in each
 *       process serving /metrics (default 15; 1..3600)</li>
 * </ul>
 */
public record HttpConfig(String host, int port, int metricsRefreshSeconds) {
  static HttpConfig fromJson(JsonObject root) {
    Json j = new Json(root, "http");
    return new HttpConfig(j.string("host", "127.0.0.1"), (int) j.integer("port", 8080, 0, 65535),
        (int) j.integer("metricsRefreshSeconds", 15, 1, 3600));
  }
}
