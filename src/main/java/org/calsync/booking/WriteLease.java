package org.calsync.booking;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;
import org.calsync.booking.Appointments.LeaseLost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A claimed appointment's write lease while it is held: renewed every third of its length in the background (so a
 * slow Google call keeps it) and confirmed in the database before each Google call, so a holder that lost it (lapsed
 * or claimed by another writer) stops instead of writing over the next holder. {@link #stop} ends the renewals.
 */
final class WriteLease {
  private static final Logger log = LoggerFactory.getLogger(WriteLease.class);

  private final Appointments appointments;
  private final String id;
  private final String holder;
  private final int seconds;
  private final Vertx vertx;
  private final long timer;
  private boolean lost;

  private WriteLease(Vertx vertx, Appointments appointments, String id, String holder, int seconds) {
    this.vertx = vertx;
    this.appointments = appointments;
    this.id = id;
    this.holder = holder;
    this.seconds = seconds;
    this.timer = vertx.setPeriodic(Math.max(1, seconds * 1000L / 3), t -> renew().onFailure(e -> {
      if (!(e instanceof LeaseLost)) log.warn("write lease renewal appointment={} failed: {}", id, e.getMessage());
    }));
  }

  /** Starts renewing a lease the holder has just claimed. */
  static WriteLease held(Vertx vertx, Appointments appointments, String id, String holder, int seconds) {
    return new WriteLease(vertx, appointments, id, holder, seconds);
  }

  /** Runs call once the lease is confirmed held; fails with {@link LeaseLost} (call not made) otherwise. */
  <T> Future<T> guard(Supplier<Future<T>> call) {
    return renew().compose(v -> call.get());
  }

  private Future<Void> renew() {
    if (lost) return Future.failedFuture(new LeaseLost(id));
    return appointments.renew(id, holder, seconds).compose(held -> {
      if (held) return Future.succeededFuture();
      lost = true;
      return Future.failedFuture(new LeaseLost(id));
    });
  }

  void stop() {
    vertx.cancelTimer(timer);
  }
}
