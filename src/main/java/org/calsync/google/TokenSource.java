package org.calsync.google;

import io.vertx.core.Future;

/** Where a {@link GoogleCall} gets its access token. */
@FunctionalInterface
public interface TokenSource {
  /** refused: null for the current token, or the token a 401 just refused: return another (refreshed) one. */
  Future<String> get(String refused);
}
