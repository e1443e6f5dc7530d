package org.calsync.config;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Section "api": the EMR-facing HTTP API (/v1, see api.ApiVerticle), a listener of its own, separate from the ops
 * endpoint. Every route except /v1/openapi.json needs an API key (./run.sh api-key create).
 * <ul>
 *   <li>host (default 127.0.0.1), port (default 8081; 0 picks a free port)</li>
 *   <li>tlsCertFile, tlsKeyFile: PEM certificate chain and private key; when both are set the listener speaks HTTPS only
 *       (default: unset, plain HTTP, for a listener behind a TLS-terminating proxy or on localhost)</li>
 *   <li>bodyLimitBytes: largest request body accepted; larger ones are answered 413 (default 65536)</li>
 *   <li>bodyTimeoutSeconds: a request body must arrive in full within this many seconds of its headers, else it is
 *       answered 408 and its connection closed, so a client trickling its body cannot hold a connection for long
 *       (default 10, 1..300)</li>
 *   <li>idleTimeoutSeconds: an API connection that sends and receives nothing this long is closed (default 60, 5..3600);
 *   a notices long-poll answers 2 s before it</li>
 *   <li>keyCacheSeconds: a key verified against the database is trusted this long without reading it again, so a revoked
 *       key keeps working at most this long (default 5, 0..300; 0 reads api_keys on every request)</li>
 * </ul>
 */
public record ApiConfig(String host, int port, String tlsCertFile, String tlsKeyFile, long bodyLimitBytes,
                        int bodyTimeoutSeconds, int idleTimeoutSeconds, int keyCacheSeconds) {
  static ApiConfig fromJson(JsonObject root) {
    Json j = new Json(root, "api");
    String cert = j.string("tlsCertFile", "");
    String key = j.string("tlsKeyFile", "");
    if (cert.isBlank() != key.isBlank()) {
      throw new ConfigException(j.key(cert.isBlank() ? "tlsCertFile" : "tlsKeyFile"), "is missing while the other is set",
          "set both api.tlsCertFile and api.tlsKeyFile (PEM files) for HTTPS, or neither");
    }
    for (String name : new String[] {"tlsCertFile", "tlsKeyFile"}) {
      String path = name.equals("tlsCertFile") ? cert : key;
      if (!path.isBlank() && !Files.isReadable(Path.of(path))) {
        throw new ConfigException(j.key(name), "names no readable file: '" + path + "'", "point it at a PEM file");
      }
    }
    return new ApiConfig(j.string("host", "127.0.0.1"), (int) j.integer("port", 8081, 0, 65535), cert, key,
        j.integer("bodyLimitBytes", 65_536, 1024, 10_485_760), (int) j.integer("bodyTimeoutSeconds", 10, 1, 300),
        (int) j.integer("idleTimeoutSeconds", 60, 5, 3600), (int) j.integer("keyCacheSeconds", 5, 0, 300));
  }

  public boolean tls() {
    return !tlsCertFile.isBlank();
  }
}
