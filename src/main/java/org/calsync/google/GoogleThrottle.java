package org.calsync.google;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Keeps this process's Google Calendar calls under the per-project quota (token bucket: requestsPerMinute, bursts of
 * one second's worth) and adapts how many run at once (AIMD): +1/limit per successful call up to maxConcurrent,
 * x0.7 on a rate-limit answer (at most once a second, never below 1). One instance per process, shared by every
 * verticle: thread-safe, and a waiting caller resumes on its own Vert.x context.
 */
public final class GoogleThrottle {
  /** A wake-up timer overdue by this much is taken as lost (its verticle was undeployed) and set again. */
  private static final long LOST_TIMER_MS = 1000;

  private record Waiter(Promise<Void> promise, Context context) {
  }

  private final Vertx vertx;
  private final LongSupplier clock;
  private final int maxConcurrent;
  private final double permitsPerMilli;
  private final double burst;
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private double limit;
  private double tokens;
  private long lastRefill;
  private long lastDecrease = Long.MIN_VALUE / 2;
  private int inFlight;
  private long wakeAt = -1;
  private long acquired;
  private long rateLimited;

  public GoogleThrottle(Vertx vertx, int maxConcurrent, int requestsPerMinute) {
    this(vertx, maxConcurrent, requestsPerMinute, System::currentTimeMillis);
  }

  /** clock: milliseconds, for the bucket refill and the once-a-second decrease (tests move it by hand). */
  public GoogleThrottle(Vertx vertx, int maxConcurrent, int requestsPerMinute, LongSupplier clock) {
    if (maxConcurrent < 1 || requestsPerMinute < 1) throw new IllegalArgumentException("maxConcurrent and requestsPerMinute must be >= 1");
    this.vertx = vertx;
    this.clock = clock;
    this.maxConcurrent = maxConcurrent;
    this.limit = maxConcurrent;
    this.permitsPerMilli = requestsPerMinute / 60_000.0;
    this.burst = Math.max(1.0, requestsPerMinute / 60.0);
    this.tokens = burst;
    this.lastRefill = clock.getAsLong();
  }

  /** Completes when a call may start; pair every acquire with exactly one release. Waiters are served in order. */
  public Future<Void> acquire() {
    Waiter w;
    synchronized (this) {
      if (waiting.isEmpty() && tryTake()) return Future.succeededFuture();
      w = new Waiter(Promise.promise(), Vertx.currentContext());
      waiting.add(w);
    }
    pump();
    return w.promise.future();
  }

  /** The call's outcome: rateLimited true for 403/429 rate-limit answers (lowers the limit), else raises it. */
  public void release(boolean wasRateLimited) {
    synchronized (this) {
      inFlight--;
      if (wasRateLimited) {
        rateLimited++;
        long now = clock.getAsLong();
        if (now - lastDecrease >= 1000) {
          limit = Math.max(1.0, limit * 0.7);
          lastDecrease = now;
        }
      } else if (limit < maxConcurrent) {
        limit = Math.min(maxConcurrent, limit + 1.0 / limit);
      }
    }
    pump();
  }

  /** Calls allowed in flight now. */
  public synchronized int limit() {
    return (int) limit;
  }

  public synchronized int inFlight() {
    return inFlight;
  }

  public synchronized int waiting() {
    return waiting.size();
  }

  /** Permits handed out since start (every Google Calendar call attempt takes one). */
  public synchronized long acquiredCount() {
    return acquired;
  }

  public synchronized long rateLimitedCount() {
    return rateLimited;
  }

  private boolean tryTake() {
    refill();
    if (inFlight < (int) limit && tokens >= 1.0) {
      tokens -= 1.0;
      inFlight++;
      acquired++;
      return true;
    }
    return false;
  }

  private void refill() {
    long now = clock.getAsLong();
    if (now > lastRefill) {
      tokens = Math.min(burst, tokens + (now - lastRefill) * permitsPerMilli);
      lastRefill = now;
    }
  }

  private List<Waiter> takeReady() {
    List<Waiter> ready = new ArrayList<>();
    while (!waiting.isEmpty() && tryTake()) ready.add(waiting.poll());
    return ready;
  }

  private static void resume(List<Waiter> ready) {
    for (Waiter w : ready) {
      if (w.context == null) w.promise.complete();
      else w.context.runOnContext(v -> w.promise.complete());
    }
  }

  /**
   * Starts the waiters that may start now, and sets a timer for when the bucket next holds a permit if some still wait
   * for one (waiters held back by the concurrency limit start on a release instead).
   */
  private void pump() {
    List<Waiter> ready;
    long delay = -1;
    synchronized (this) {
      ready = takeReady();
      long now = clock.getAsLong();
      if (!waiting.isEmpty() && tokens < 1.0 && (wakeAt == -1 || now >= wakeAt + LOST_TIMER_MS)) {
        delay = Math.max(1, Math.min(1000, (long) Math.ceil((1.0 - tokens) / permitsPerMilli)));
        wakeAt = now + delay;
      }
    }
    resume(ready);
    if (delay >= 0) {
      vertx.setTimer(delay, id -> {
        synchronized (this) {
          wakeAt = -1;
        }
        pump();
      });
    }
  }
}
