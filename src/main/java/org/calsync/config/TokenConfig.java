package org.calsync.config;

import io.vertx.core.json.JsonObject;

/**
 * Section "token".
 * <ul>
 *   <li>refreshBufferSeconds: refresh this long before expiry (default 300)</li>
 *   <li>keys: comma list "keyId:base64-32-bytes" (prefer CALSYNC_TOKEN_KEYS); the first is used to encrypt</li>
 *   <li>keyFile: file with the same format, one key per line (alternative to keys)</li>
 * </ul>
 */
public record TokenConfig(int refreshBufferSeconds, String keys, String keyFile) {
  static TokenConfig fromJson(JsonObject root) {
    Json j = new Json(root, "token");
    return new TokenConfig((int) j.integer("refreshBufferSeconds", 300, 0, 3000), j.string("keys", ""), j.string("keyFile", ""));
  }

  @Override
  public String toString() {
    return "TokenConfig[refreshBufferSeconds=" + refreshBufferSeconds + ", keys=***, keyFile=" + keyFile + "]";
  }
}
