package org.calsync.sync;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;

/**
 * Keeps Google calls under the per-project quota (token bucket, requests per minute) and adapts how many run at once:
 * additive increase on success, multiplicative decrease on a rate-limit answer (AIMD). Confined to one event loop.
 */
public final class GoogleThrottle {
  private final Vertx vertx;
  private final int maxConcurrent;
  private final double permitsPerMilli;
  private final double burst;
  private final ArrayDeque<Promise<Void>> waiting = new ArrayDeque<>();
  private double limit;
  private double tokens;
  private long lastRefill;
  private long lastDecrease;
  private int inFlight;
  private long timerId = -1;
  private long rateLimited;

  public GoogleThrottle(Vertx vertx, int maxConcurrent, int requestsPerMinute) {
    this.vertx = vertx;
    this.maxConcurrent = maxConcurrent;
    this.limit = maxConcurrent;
    this.permitsPerMilli = requestsPerMinute / 60_000.0;
    this.burst = Math.max(1.0, requestsPerMinute / 60.0);
    this.tokens = burst;
    this.lastRefill = System.currentTimeMillis();
  }

  /** Completes when a call may start; pair every acquire with exactly one release. */
  public Future<Void> acquire() {
    if (waiting.isEmpty() && tryTake()) return Future.succeededFuture();
    Promise<Void> p = Promise.promise();
    waiting.add(p);
    schedule();
    return p.future();
  }

  /** outcome of the call: rateLimited true for 403/429 rate-limit answers. */
  public void release(boolean wasRateLimited) {
    inFlight--;
    long now = System.currentTimeMillis();
    if (wasRateLimited) {
      rateLimited++;
      if (now - lastDecrease > 1000) {
        limit = Math.max(1.0, limit * 0.7);
        lastDecrease = now;
      }
    } else if (limit < maxConcurrent) {
      limit = Math.min(maxConcurrent, limit + 1.0 / limit);
    }
    drain();
  }

  public int limit() {
    return (int) limit;
  }

  public int inFlight() {
    return inFlight;
  }

  public long rateLimitedCount() {
    return rateLimited;
  }

  private boolean tryTake() {
    refill();
    if (inFlight < (int) limit && tokens >= 1.0) {
      tokens -= 1.0;
      inFlight++;
      return true;
    }
    return false;
  }

  private void refill() {
    long now = System.currentTimeMillis();
    tokens = Math.min(burst, tokens + (now - lastRefill) * permitsPerMilli);
    lastRefill = now;
  }

  private void drain() {
    while (!waiting.isEmpty() && tryTake()) waiting.poll().complete();
    if (!waiting.isEmpty()) schedule();
  }

  private void schedule() {
    if (timerId != -1) return;
    timerId = vertx.setTimer(10, id -> {
      timerId = -1;
      drain();
    });
  }
}
