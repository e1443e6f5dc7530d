package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.calsync.App;
import org.calsync.db.JobQueue;
import org.calsync.emulator.FaultProfile;
import org.calsync.emulator.Stats;
import org.calsync.scheduler.SchedulerTasks;
import org.calsync.support.DaemonProcess;
import org.calsync.support.FaultCounts;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.calsync.support.SyncOverlaps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three daemon processes on one database share the work while Google misbehaves (10% 5xx, 5% rate limits, 2%
 * connection resets, 2% responses slower than the client's timeout), one runs the scheduler, and processes killed
 * with SIGKILL while holding leased jobs lose no job: their leases lapse and the others (or the restarted process)
 * finish exactly those jobs. No integration is listed by two workers at once (checked on the wire by a proxy in front
 * of the emulator, and from the audit trail).
 */
@ExtendWith(HarnessExtension.class)
class MultiProcessCrashTest {
  private static final int LEASE_SECONDS = 6;

  private Harness h;
  private ListingProxy proxy;
  private final List<DaemonProcess> daemons = new ArrayList<>();
  private final List<Kill> kills = new ArrayList<>();

  /** A SIGKILL: the process, when (database clock), and the jobs (id -> integration) it held leased when it died. */
  private record Kill(String name, long pid, OffsetDateTime at, Map<Long, Long> leased) {
  }

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.start(new App.Parts(false, false, false));
    proxy = ListingProxy.start(h.vertx, h.emulator.baseUrl());
  }

  @AfterEach
  void tearDown() throws Exception {
    for (DaemonProcess d : daemons) d.close();
    if (proxy != null) proxy.close();
  }

  @Test
  void threeProcessesWithKillsConvergeWithoutLosingOrOverlappingJobs() throws Exception {
    int n = 150;
    Map<String, Long> ids = h.connectSeeded(n, 12);
    h.emulator.state().setFaults(FaultProfile.none().withLatency(20, 30).withServerError(0.10).withRateLimit(0.05)
        .withConnectionReset(0.02).withSlow(0.02, 1500));
    JsonObject cfg = h.configJson(new JsonObject()
        .put("google", new JsonObject().put("apiBaseUrl", proxy.apiBaseUrl()).put("requestTimeoutMs", 600))
        .put("sync", new JsonObject().put("leaseSeconds", LEASE_SECONDS).put("pollMs", 100).put("intervalMinutes", 10)
            .put("stagger", false).put("maxConcurrent", 16).put("pageSize", 5))
        .put("scheduler", new JsonObject().put("enabled", true)));
    Path dir = Files.createTempDirectory("calsync-procs");
    for (int i = 0; i < 3; i++) daemons.add(new DaemonProcess(dir, "d" + i, cfg, h.keys).start());

    // The leader dispatches the first cycle by itself; kill processes while they hold leased jobs.
    waitFor(() -> synced() >= 30, 90, "first syncs");
    killWhileLeased(1);
    daemons.get(1).start();
    waitFor(() -> synced() >= 80, 90, "more syncs");
    killWhileLeased(0);
    waitFor(() -> synced() == n && jobs() == 0, 120, "every integration synced");
    long cycles = h.count("SELECT count(*) FROM audit_log WHERE action = 'scheduler.cycle'");
    assertThat(cycles).as("exactly one scheduler dispatched the cycle").isEqualTo(1);

    // Google-side changes, a manual cycle, and another kill in the middle of it.
    long mutations = h.emulator.state().mutationDriver().mutations();
    h.emulator.state().mutationDriver().start(400);
    Harness.await("Google-side changes", () -> h.emulator.state().mutationDriver().mutations() >= mutations + 150);
    h.emulator.state().mutationDriver().stop();
    daemons.get(0).start();
    new SchedulerTasks(h.vertx, h.config, h.pool()).dispatchCycle(null, 0, JobQueue.PRIORITY_MANUAL).await();
    waitFor(() -> jobs() < n * 3 / 4, 60, "part of the second cycle");
    killWhileLeased(2);
    waitFor(() -> jobs() == 0, 120, "second cycle drained");
    // Stopping flushes what a daemon's audit verticle still buffers: the audit trail read below is complete.
    for (DaemonProcess d : daemons) {
      if (d.alive()) assertThat(d.terminate()).as("stopped by SIGTERM").isIn(0, 143);
    }

    List<String> diverged = new ArrayList<>();
    for (String cal : ids.keySet()) if (!h.mirrored(cal).equals(h.truth(cal))) diverged.add(cal);
    List<String> failed = new ArrayList<>();
    for (Row r : h.query("SELECT integration_id, attempts, error_class, error FROM failed_jobs")) {
      failed.add(r.getLong(0) + " after " + r.getInteger(1) + " attempts: " + r.getString(2) + " " + r.getString(3));
    }
    int attributed = assertKilledJobsFinishedByOthers();
    Map<String, Integer> maxInFlight = proxy.maxInFlight();
    long overlapping = maxInFlight.values().stream().filter(v -> v > 1).count();
    long syncs = h.count("SELECT count(*) FROM audit_log WHERE action = 'sync.synced'");
    long workers = h.count("SELECT count(DISTINCT detail::jsonb ->> 'worker') FROM audit_log WHERE action = 'sync.synced'");
    Stats stats = h.emulator.state().stats();
    Map<String, Long> faults = FaultCounts.byKind(stats, "slow"); // the only other fault in this profile
    System.out.printf("multi-process: %d integrations, 3 processes, %d kills (leased jobs interrupted: %s; all finished by "
            + "live workers, %d of them attributed by audit), %d faults injected %s in %d requests, %d syncs by %d workers, "
            + "failed_jobs %d, events.list max in flight per calendar %d (%d listings, %d calendars above 1), "
            + "convergence %d/%d mirrors equal truth%n",
        n, kills.size(), kills.stream().map(k -> k.name() + "=" + k.leased().size()).toList(), attributed,
        stats.faultsInjected(), faults, stats.totalRequests(), syncs, workers, failed.size(),
        maxInFlight.values().stream().mapToInt(Integer::intValue).max().orElse(0), proxy.listings(), overlapping,
        n - diverged.size(), n);
    System.out.printf("multi-process: emulator requests by status %s%n", stats.requests());

    assertThat(kills).hasSize(3);
    assertThat(diverged).as("calendars whose mirror differs from Google").isEmpty();
    assertThat(failed).as("failed_jobs (retries should absorb every injected fault)").isEmpty();
    assertThat(faults.get("5xx")).as("5xx injected").isPositive();
    assertThat(faults.get("rateLimit")).as("rate limits injected").isPositive();
    assertThat(faults.get("reset")).as("resets injected").isPositive();
    assertThat(faults.get("slow")).as("slow responses injected").isPositive();
    assertThat(proxy.listings()).as("listings went through the proxy").isGreaterThan(2 * n);
    assertThat(maxInFlight).as("listings per calendar seen").hasSize(n);
    assertThat(maxInFlight).as("no calendar listed by two workers at once").allSatisfy((cal, max) -> assertThat(max).isEqualTo(1));
    SyncOverlaps.assertNone(h);
    assertThat(workers).as("the work was shared").isGreaterThanOrEqualTo(3);
  }

  /**
   * Waits until the daemon holds at least one leased job, kills it with SIGKILL, and records the jobs it still held
   * (its worker ids are "pid@host/..."); a dead process can settle nothing, so these are interrupted jobs.
   */
  private void killWhileLeased(int i) throws Exception {
    DaemonProcess d = daemons.get(i);
    long pid = d.pid();
    waitFor(() -> leasedBy(pid) >= 2, 60, "d" + i + " holding leased jobs");
    Integer[] sessions = d.connectionPorts(h.query("SELECT inet_server_port()").get(0).getInteger(0)).toArray(Integer[]::new);
    assertThat(sessions).as("d%d's database sessions", i).isNotEmpty();
    d.kill9();
    // A statement PostgreSQL had already received from it still completes: let it (its session ends after it), before
    // reading what the dead process holds. Its leases were renewed until the kill, so no other worker can take its
    // jobs this early.
    Harness.await("the killed process's database sessions to end",
        () -> h.count("SELECT count(*) FROM pg_stat_activity WHERE client_port = ANY($1)", (Object) sessions) == 0);
    OffsetDateTime at = h.query("SELECT now()").get(0).getOffsetDateTime(0);
    Map<Long, Long> leased = new TreeMap<>();
    for (Row r : h.query("SELECT id, integration_id FROM jobs WHERE locked_by LIKE $1", pid + "@%")) {
      leased.put(r.getLong(0), r.getLong(1));
    }
    assertThat(leased).as("d%d was killed while holding leased jobs", i).isNotEmpty();
    kills.add(new Kill("d" + i, pid, at, leased));
  }

  /**
   * Every job a killed process held was finished afterwards by a live worker: the job row is gone, its integration
   * synced ok after the kill, and the audit record of that job, when there is one, names a worker of another process.
   * Returns how many were attributed by audit.
   */
  private int assertKilledJobsFinishedByOthers() {
    int attributed = 0;
    for (Kill k : kills) {
      for (Map.Entry<Long, Long> job : k.leased().entrySet()) {
        assertThat(h.count("SELECT count(*) FROM jobs WHERE id = " + job.getKey())).as("job %d is not left over", job.getKey()).isZero();
        Row u = h.query("SELECT last_sync_status, last_sync_at > $2 FROM user_integrations WHERE id = $1", job.getValue(), k.at()).get(0);
        assertThat(u.getString(0)).as("integration %d of job %d interrupted by the kill of %s", job.getValue(), job.getKey(), k.name())
            .isEqualTo("ok");
        assertThat(u.getBoolean(1)).as("integration %d synced after the kill of %s", job.getValue(), k.name()).isTrue();
        List<String> by = new ArrayList<>();
        for (Row r : h.query("SELECT detail::jsonb ->> 'worker' FROM audit_log WHERE action = 'sync.synced' "
            + "AND (detail::jsonb ->> 'jobId')::bigint = $1 AND at > $2", job.getKey(), k.at())) {
          by.add(r.getString(0));
        }
        if (!by.isEmpty()) attributed++;
        assertThat(by).as("workers that synced job %d after the kill of %s", job.getKey(), k.name())
            .allSatisfy(w -> assertThat(w).doesNotStartWith(k.pid() + "@"));
      }
    }
    return attributed;
  }

  private long leasedBy(long pid) {
    return h.count("SELECT count(*) FROM jobs WHERE locked_by LIKE $1 AND locked_until > now()", pid + "@%");
  }

  private long synced() {
    return h.count("SELECT count(*) FROM user_integrations WHERE last_sync_status = 'ok'");
  }

  private long jobs() {
    return h.count("SELECT count(*) FROM jobs");
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
      Thread.sleep(50);
    }
  }
}
