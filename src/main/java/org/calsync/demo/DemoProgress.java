package org.calsync.demo;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import org.calsync.bus.Addresses;

/** Follows cycles on the event bus and prints live progress and a summary per cycle. Confined to one event loop. */
final class DemoProgress {
  private final PrintStream out;
  private long cycle;
  private int expected;
  private int synced;
  private int failed;
  private int retries;
  private long changed;
  private long started;
  private Promise<JsonObject> cycleDone;

  DemoProgress(PrintStream out) {
    this.out = out;
  }

  void attach(Vertx vertx) {
    vertx.eventBus().<JsonObject>consumer(Addresses.CYCLE_STARTED, m -> {
      cycle = m.body().getLong("cycle");
      expected = m.body().getInteger("enqueued");
      synced = failed = retries = 0;
      changed = 0;
      started = System.currentTimeMillis();
      out.printf("cycle %d: dispatched %d integrations%n", cycle, expected);
      if (expected == 0) finish();
    });
    vertx.eventBus().<JsonObject>consumer(Addresses.SYNC_COMPLETED, m -> {
      String outcome = m.body().getString("outcome");
      switch (outcome) {
        case "synced" -> synced++;
        case "retry", "deferred" -> retries++;
        default -> failed++;
      }
      changed += m.body().getInteger("changed", 0);
      if (synced + failed >= expected && expected > 0) finish();
    });
    vertx.setPeriodic(1000, id -> {
      if (expected > 0 && cycleDone != null && !cycleDone.future().isComplete()) {
        out.printf("cycle %d: %d/%d synced, %d failed, %d retries pending, %d events changed, %.1fs%n", cycle, synced, expected,
            failed, retries, changed, (System.currentTimeMillis() - started) / 1000.0);
      }
    });
  }

  /** Completes with the summary when the current (or next) cycle has settled every integration. */
  io.vertx.core.Future<JsonObject> nextCycle() {
    cycleDone = Promise.promise();
    return cycleDone.future();
  }

  private void finish() {
    double secs = (System.currentTimeMillis() - started) / 1000.0;
    JsonObject summary = new JsonObject().put("cycle", cycle).put("synced", synced).put("failed", failed)
        .put("changedEvents", changed).put("durationSeconds", secs);
    out.printf("cycle %d done: synced %d, changed events %d, failed %d, duration %.1fs%n", cycle, synced, changed, failed, secs);
    expected = 0;
    if (cycleDone != null) cycleDone.tryComplete(summary);
  }
}
