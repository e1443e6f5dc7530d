package org.calsync.support;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.calsync.config.GoogleConfig;
import org.calsync.emulator.GoogleEmulator;
import org.calsync.google.Google;

/** calsync's door to Google ({@link Google}) pointed at an emulator, with the local client's credentials. */
public final class LocalGoogle {
  private LocalGoogle() {
  }

  public static Google of(Vertx vertx, GoogleEmulator emu) {
    GoogleConfig config = new GoogleConfig(GoogleConfig.DEFAULT_API, GoogleConfig.DEFAULT_TOKEN, GoogleConfig.DEFAULT_REVOKE,
        "calsync-local", "calsync-local-secret", 10_000, 4).withEndpoints(emu.baseUrl());
    return new Google(vertx, config, 600, new SimpleMeterRegistry());
  }
}
