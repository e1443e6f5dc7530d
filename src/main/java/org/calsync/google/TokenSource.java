package org.calsync.google;

import io.vertx.core.Future;

/** Where a {@link GoogleCall} gets its access token. */
@FunctionalInterface
public interface TokenSource {
  /** force: the token handed out before was refused (401); return a refreshed one. */
  Future<String> get(boolean force);
}
