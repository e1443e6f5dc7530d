package org.calsync.google;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.calsync.support.Harness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The project throttle on a hand-moved clock: token bucket rate, AIMD decrease on rate limits, increase on success. */
class GoogleThrottleTest {
  private Vertx vertx;
  private final AtomicLong clock = new AtomicLong(1_000_000);

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void theBucketAdmitsRequestsPerMinuteAndTheNextCallWaitsForTheClock() {
    // 120 per minute: a burst of 2 (one second's worth), then one permit every 500 ms.
    GoogleThrottle t = new GoogleThrottle(vertx, 10, 120, clock::get);
    Future<Void> first = t.acquire();
    Future<Void> second = t.acquire();
    Future<Void> third = t.acquire();
    Future<Void> fourth = t.acquire();
    assertThat(first.succeeded()).isTrue();
    assertThat(second.succeeded()).isTrue();
    assertThat(third.isComplete()).as("the bucket is empty").isFalse();

    t.release(false);
    t.release(false);
    assertThat(third.isComplete()).as("a free slot is not a permit").isFalse();
    clock.addAndGet(499);
    t.acquire(); // a later caller queues behind the waiting ones and makes the throttle look again
    assertThat(third.isComplete()).as("499 ms hold less than one permit").isFalse();

    clock.addAndGet(1);
    Harness.await("the third call admitted once 500 ms have passed", third::isComplete);
    assertThat(fourth.isComplete()).as("the fourth needs another 500 ms").isFalse();
    clock.addAndGet(500);
    Harness.await("the fourth call admitted", fourth::isComplete);
    assertThat(t.acquiredCount()).isEqualTo(4);
    assertThat(t.waiting()).isEqualTo(1);
  }

  @Test
  void rateLimitsCutConcurrencyAtMostOnceASecondAndSuccessesRaiseItAgain() {
    GoogleThrottle t = new GoogleThrottle(vertx, 10, 6_000_000, clock::get);
    assertThat(t.limit()).isEqualTo(10);
    t.acquire();
    t.release(true);
    assertThat(t.limit()).as("x0.7").isEqualTo(7);
    t.acquire();
    t.release(true);
    assertThat(t.limit()).as("a second answer within the same second does not cut again").isEqualTo(7);
    clock.addAndGet(1000);
    t.acquire();
    t.release(true);
    assertThat(t.limit()).as("4.9").isEqualTo(4);
    assertThat(t.rateLimitedCount()).isEqualTo(3);

    List<Future<Void>> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) calls.add(t.acquire());
    assertThat(calls.subList(0, 4)).allMatch(Future::succeeded);
    assertThat(calls.get(4).isComplete()).as("only 4 in flight").isFalse();
    t.release(false); // 4.9 + 1/4.9 = 5.1: the waiting call starts, and one more could
    assertThat(calls.get(4).succeeded()).isTrue();
    assertThat(t.limit()).isEqualTo(5);
    assertThat(t.inFlight()).isEqualTo(4);

    int limit = t.limit();
    for (int i = 0; i < 100; i++) {
      t.acquire();
      t.release(false);
      assertThat(t.limit()).isGreaterThanOrEqualTo(limit).isLessThanOrEqualTo(10);
      limit = t.limit();
    }
    assertThat(t.limit()).as("back to the ceiling after enough successes").isEqualTo(10);
  }
}
