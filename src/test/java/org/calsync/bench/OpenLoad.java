package org.calsync.bench;

import io.vertx.core.Future;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Open-model load: request i is due at start + i / rate whatever happened to the others, sent by one scheduling thread,
 * and its latency is measured from that intended time (not from when it was actually sent), so a stall shows up in the
 * latency of every request it delays (no coordinated omission). A failed request counts with its latency too, and the
 * result names the failures; send(i) must bound its own wait (a future that never completes stalls the run).
 */
final class OpenLoad {
  /** Latencies in ns (sorted), failures (and how many of each message), the achieved send rate and the machine's CPU use. */
  record Result(long[] nanos, int failed, Map<String, Integer> failures, double sentPerSecond, double cpuBusyPercent) {
    double ms(double q) {
      return nanos.length == 0 ? Double.NaN : nanos[Math.min(nanos.length - 1, (int) Math.ceil(q * nanos.length) - 1)] / 1e6;
    }

    String line(String label) {
      return String.format("%-26s n=%,d  p50=%.2f ms  p90=%.2f ms  p99=%.2f ms  p99.9=%.2f ms  max=%.2f ms  sent %.0f/s  "
              + "failed %d  machine CPU %.0f%%", label, nanos.length, ms(0.50), ms(0.90), ms(0.99), ms(0.999),
          nanos.length == 0 ? Double.NaN : nanos[nanos.length - 1] / 1e6, sentPerSecond, failed, cpuBusyPercent)
          + (failures.isEmpty() ? "" : "  failures " + new TreeMap<>(failures));
    }
  }

  private OpenLoad() {
  }

  /** Sends n requests at rate per second; send(i) starts request i and completes when its answer is in. */
  static Result run(int n, double rate, IntFunction<Future<?>> send) throws InterruptedException {
    long[] nanos = new long[n];
    AtomicInteger failed = new AtomicInteger();
    Map<String, Integer> failures = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(n);
    long period = (long) (1e9 / rate);
    long[] cpu0 = Machine.cpuTicks();
    long start = System.nanoTime() + 10_000_000;
    for (int i = 0; i < n; i++) {
      long intended = start + i * period;
      long wait;
      while ((wait = intended - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
      int k = i;
      send.apply(i).onComplete(ar -> {
        nanos[k] = System.nanoTime() - intended;
        if (ar.failed()) {
          failed.incrementAndGet();
          String m = String.valueOf(ar.cause().getMessage());
          failures.merge(m.length() > 80 ? m.substring(0, 80) : m, 1, Integer::sum);
        }
        done.countDown();
      });
    }
    double sentSeconds = (System.nanoTime() - start) / 1e9;
    if (!done.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("answers missing after 120 s: " + done.getCount());
    long[] cpu1 = Machine.cpuTicks();
    Arrays.sort(nanos);
    return new Result(nanos, failed.get(), failures, n / sentSeconds, Machine.busyPercent(cpu0, cpu1));
  }
}
