package org.calsync.booking;

import io.vertx.core.Future;
import java.util.function.Supplier;
import org.calsync.metrics.Recoveries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A periodic task that runs at most once at a time: a tick while the last run is still going is skipped. */
final class Sweep {
  private static final Logger log = LoggerFactory.getLogger(Sweep.class);

  private final String name;
  private final Supplier<Future<?>> task;
  private boolean running;

  Sweep(String name, Supplier<Future<?>> task) {
    this.name = name;
    this.task = task;
  }

  void tick() {
    if (running) return;
    running = true;
    // the next tick runs it again: a failure here heals by itself
    task.get().onFailure(e -> {
      Recoveries.count(Recoveries.Kind.DATABASE);
      log.warn("{} failed: {}", name, e.getMessage());
    }).onComplete(ar -> running = false);
  }
}
