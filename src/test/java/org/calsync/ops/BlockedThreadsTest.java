package org.calsync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.calsync.VertxRuntime;
import org.calsync.support.Harness;
import org.calsync.support.LogCapture;
import org.junit.jupiter.api.Test;

/** An event loop held past Vert.x's 2 s limit is counted in calsync_blocked_threads_total and still logged at WARN. */
class BlockedThreadsTest {
  @Test
  void aBlockedEventLoopIsCountedAndLogged() {
    VertxRuntime rt = VertxRuntime.create();
    try (LogCapture log = LogCapture.all()) {
      // the blocking is what is tested: the event loop is held well past maxEventLoopExecuteTime (2 s)
      rt.vertx().runOnContext(v -> Harness.sleep(3500));
      Harness.await("the blocked event loop counted", 30,
          () -> rt.registry().find("calsync.blocked.threads").tag("pool", "event_loop").counter().count() >= 1);
      assertThat(rt.registry().scrape()).contains("calsync_blocked_threads_total{pool=\"event_loop\"}");
      Harness.await("logged", 10, () -> log.logged("has been blocked for"));
    } finally {
      rt.vertx().close().await();
    }
  }
}
