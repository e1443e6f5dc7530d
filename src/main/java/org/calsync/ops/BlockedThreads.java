package org.calsync.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts Vert.x's blocked-thread warnings in calsync_blocked_threads_total{pool=event_loop|worker}: an event-loop
 * thread busy for longer than VertxOptions' maxEventLoopExecuteTime (2 s) stalls every verticle on that loop. Logged at
 * WARN as Vert.x does (with the thread's stack past its warning-exception time).
 */
public final class BlockedThreads {
  private static final Logger log = LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker");

  private BlockedThreads() {
  }

  /** Replaces Vert.x's default handler (which only logs) for this Vertx instance. */
  public static void watch(Vertx vertx, MeterRegistry registry) {
    Counter eventLoop = counter(registry, "event_loop");
    Counter worker = counter(registry, "worker");
    ((VertxInternal) vertx).blockedThreadChecker().setThreadBlockedHandler(ev -> {
      String name = ev.thread().getName();
      (name.contains("eventloop") ? eventLoop : worker).increment();
      String message = "Thread " + name + " has been blocked for " + ev.duration() / 1_000_000 + " ms, time limit is "
          + ev.maxExecTime() / 1_000_000 + " ms";
      if (ev.duration() <= ev.warningExceptionTime()) {
        log.warn(message);
      } else {
        Exception stack = new Exception("Thread blocked");
        stack.setStackTrace(ev.thread().getStackTrace());
        log.warn(message, stack);
      }
    });
  }

  private static Counter counter(MeterRegistry registry, String pool) {
    return Counter.builder("calsync.blocked.threads").description("Vert.x threads seen blocked past their time limit")
        .tag("pool", pool).register(registry);
  }
}
