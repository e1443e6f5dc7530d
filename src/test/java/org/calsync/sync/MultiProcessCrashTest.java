package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calsync.App;
import org.calsync.db.JobQueue;
import org.calsync.emulator.FaultProfile;
import org.calsync.scheduler.SchedulerTasks;
import org.calsync.support.DaemonProcess;
import org.calsync.support.Harness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three daemon processes on one database share the work, one runs the scheduler, and processes killed with SIGKILL
 * mid-cycle lose no job: their leases lapse and the others (or the restarted process) finish the work.
 */
class MultiProcessCrashTest {
  private Harness h;
  private final List<DaemonProcess> daemons = new ArrayList<>();

  @BeforeEach
  void setUp() {
    h = new Harness().start(new App.Parts(false, false, false));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (DaemonProcess d : daemons) d.close();
    h.close();
  }

  @Test
  void threeProcessesWithKillsConvergeWithoutLosingOrOverlappingJobs() throws Exception {
    int n = 150;
    Map<String, Long> ids = h.connectSeeded(n, 12);
    h.emulator.state().setFaults(FaultProfile.none().withLatency(40, 40).withServerError(0.05));
    JsonObject cfg = h.configJson(new JsonObject()
        .put("sync", new JsonObject().put("leaseSeconds", 5).put("pollMs", 100).put("intervalMinutes", 10).put("stagger", false)
            .put("maxConcurrent", 16).put("pageSize", 5))
        .put("scheduler", new JsonObject().put("enabled", true)));
    Path dir = Files.createTempDirectory("calsync-procs");
    for (int i = 0; i < 3; i++) daemons.add(new DaemonProcess(dir, "d" + i, cfg, h.keys).start());

    // The leader dispatches the first cycle by itself; kill one process once work is under way.
    waitFor(() -> synced() >= 40, 90, "first syncs");
    daemons.get(1).kill9();
    daemons.get(1).start();
    waitFor(() -> synced() >= 90, 90, "more syncs");
    daemons.get(0).kill9();
    waitFor(() -> synced() == n && jobs() == 0, 120, "every integration synced");
    long cycles = count("SELECT count(*) FROM audit_log WHERE action = 'scheduler.cycle'");
    assertThat(cycles).as("exactly one scheduler dispatched the cycle").isEqualTo(1);

    // Google-side changes, a manual cycle, and another kill in the middle of it.
    h.emulator.state().mutationDriver().start(400);
    Harness.sleep(500);
    h.emulator.state().mutationDriver().stop();
    daemons.get(0).start();
    new SchedulerTasks(h.vertx, h.config, h.pool()).dispatchCycle(null, 0, JobQueue.PRIORITY_MANUAL).await();
    waitFor(() -> count("SELECT count(*) FROM jobs") < n * 3 / 4, 60, "part of the second cycle");
    daemons.get(2).kill9();
    waitFor(() -> jobs() == 0, 120, "second cycle drained");
    Harness.sleep(600);

    for (String cal : ids.keySet()) {
      assertThat(h.mirrored(cal)).as("mirror of %s", cal).isEqualTo(h.truth(cal));
    }
    assertThat(count("SELECT count(*) FROM failed_jobs")).isZero();
    assertNoOverlappingSyncs();
    long workers = count("SELECT count(DISTINCT detail::jsonb ->> 'worker') FROM audit_log WHERE action = 'sync.synced'");
    assertThat(workers).as("the work was shared").isGreaterThanOrEqualTo(3);
    System.out.printf("multi-process: %d integrations, 3 processes, 3 kills, %d faults injected, %d syncs by %d workers%n",
        n, h.emulator.state().stats().faultsInjected(), count("SELECT count(*) FROM audit_log WHERE action = 'sync.synced'"), workers);
  }

  private void assertNoOverlappingSyncs() {
    Map<Long, List<long[]>> runs = new HashMap<>();
    for (Row r : h.query("SELECT integration_id, detail FROM audit_log WHERE action LIKE 'sync.%' AND integration_id IS NOT NULL")) {
      JsonObject d = new JsonObject(r.getString(1));
      if (d.getLong("startedAt") == null) continue;
      runs.computeIfAbsent(r.getLong(0), k -> new ArrayList<>())
          .add(new long[] {d.getLong("startedAt"), d.getLong("startedAt") + d.getLong("durationMs")});
    }
    assertThat(runs).isNotEmpty();
    runs.forEach((id, list) -> {
      list.sort((a, b) -> Long.compare(a[0], b[0]));
      for (int i = 1; i < list.size(); i++) {
        assertThat(list.get(i)[0]).as("integration %d: sync %d starts after the previous one ended", id, i)
            .isGreaterThanOrEqualTo(list.get(i - 1)[1]);
      }
    });
  }

  private long synced() {
    return count("SELECT count(*) FROM user_integrations WHERE last_sync_status = 'ok'");
  }

  private long jobs() {
    return count("SELECT count(*) FROM jobs");
  }

  private long count(String sql) {
    return h.query(sql).get(0).getLong(0);
  }

  private void waitFor(java.util.function.BooleanSupplier cond, int seconds, String what) throws Exception {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    while (!cond.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        StringBuilder logs = new StringBuilder();
        for (DaemonProcess d : daemons) {
          String l = d.log();
          logs.append(l, Math.max(0, l.length() - 2000), l.length()).append("\n----\n");
        }
        throw new AssertionError("timed out waiting for " + what + "; synced=" + synced() + " jobs=" + jobs() + "\n" + logs);
      }
      Thread.sleep(100);
    }
  }
}
