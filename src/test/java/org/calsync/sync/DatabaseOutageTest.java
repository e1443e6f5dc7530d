package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Row;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.calsync.App;
import org.calsync.db.JobQueue;
import org.calsync.emulator.EmulatorOptions;
import org.calsync.emulator.FaultProfile;
import org.calsync.scheduler.SchedulerTasks;
import org.calsync.support.FaultCounts;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.calsync.support.Harnesses;
import org.calsync.support.LogCapture;
import org.calsync.support.SyncOverlaps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PostgreSQL goes away mid-cycle and comes back: /ready turns red then green, the daemon recovers without a restart,
 * and no job is lost: the jobs in flight when it went away finish afterwards, while Google keeps injecting faults.
 * Uses its own embedded server so that it can be stopped.
 */
@ExtendWith(HarnessExtension.class)
class DatabaseOutageTest {
  private static final int LEASE_SECONDS = 5;
  private EmbeddedPostgres pg;
  private Harness h;
  private WebClient web;

  @AfterEach
  void tearDown() throws Exception {
    if (web != null) web.close();
  }

  private EmbeddedPostgres startPg(Path dir, int port) throws Exception {
    return EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port).start();
  }

  @Test
  void readinessFollowsPostgresAndNoJobIsLostAcrossARestart(Harnesses worlds) throws Exception {
    Path dir = Files.createTempDirectory("calsync-pg");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    pg = startPg(dir, port);
    worlds.closeWith(() -> {
      if (pg != null) pg.close();
    });
    h = worlds.open(EmulatorOptions.defaults(), "postgresql://postgres@127.0.0.1:" + port + "/postgres").configure(new JsonObject()
        .put("google", new JsonObject().put("requestTimeoutMs", 600))
        .put("sync", new JsonObject().put("leaseSeconds", LEASE_SECONDS).put("pollMs", 100).put("maxConcurrent", 8).put("pageSize", 5))
        .put("db", new JsonObject().put("poolSize", 4)));
    h.start(new App.Parts(true, false, true));
    LogCapture logs = LogCapture.all();
    worlds.closeWith(logs::close);
    web = WebClient.create(h.vertx);
    int n = 60;
    Map<String, Long> ids = h.connectSeeded(n, 10);
    assertThat(ready()).isEqualTo(200);

    // Google misbehaves throughout (10% 5xx, 5% rate limits, 2% resets, 2% slower than the client's timeout).
    h.emulator.state().setFaults(FaultProfile.none().withLatency(100, 50).withServerError(0.10).withRateLimit(0.05)
        .withConnectionReset(0.02).withSlow(0.02, 1500));
    new SchedulerTasks(h.vertx, h.config, h.pool()).dispatchCycle(null, 0, JobQueue.PRIORITY_MANUAL).await();
    long deadline = System.currentTimeMillis() + 20_000;
    Map<Long, Long> leased = new TreeMap<>();
    OffsetDateTime downAt = null;
    while (System.currentTimeMillis() < deadline) {
      leased.clear();
      for (Row r : h.query("SELECT id, integration_id, now() FROM jobs WHERE locked_until > now()")) {
        leased.put(r.getLong(0), r.getLong(1));
        downAt = r.getOffsetDateTime(2);
      }
      if (leased.size() >= 4) break;
      Harness.sleep(20);
    }
    assertThat(leased).as("jobs in flight when PostgreSQL goes away").hasSizeGreaterThanOrEqualTo(4);
    long stoppedAt = System.currentTimeMillis();
    pg.close();
    pg = null;
    Harness.await("readiness to notice", 15, () -> ready() == 503);
    assertThat(ready()).as("not ready without PostgreSQL").isEqualTo(503);
    // Renewals fail while PostgreSQL is away, so every lease held at the outage ends within the lease time of it.
    long leasesLapsed = stoppedAt + (LEASE_SECONDS + 1) * 1000L;
    Harness.await("the leases held at the outage to lapse", 30, () -> System.currentTimeMillis() > leasesLapsed);

    pg = startPg(dir, port);
    Harness.await("readiness to return", 30, () -> ready() == 200);
    assertThat(ready()).as("ready again").isEqualTo(200);
    long outageMs = System.currentTimeMillis() - stoppedAt;
    h.awaitQueueDrained(120);

    List<String> diverged = new ArrayList<>();
    for (String cal : ids.keySet()) if (!h.mirrored(cal).equals(h.truth(cal))) diverged.add(cal);
    long failed = h.count("SELECT count(*) FROM failed_jobs");
    long finished = 0;
    for (Map.Entry<Long, Long> job : leased.entrySet()) {
      Row u = h.query("SELECT last_sync_status = 'ok' AND last_sync_at > $2, "
          + "NOT EXISTS (SELECT 1 FROM jobs WHERE id = $3) FROM user_integrations WHERE id = $1", job.getValue(), downAt, job.getKey()).get(0);
      if (u.getBoolean(0) && u.getBoolean(1)) finished++;
    }
    System.out.printf("database outage: %d integrations, PostgreSQL down and back in %d ms, %d jobs in flight at the outage "
            + "(%d finished after it), %d faults injected %s in %d requests, failed_jobs %d, convergence %d/%d mirrors equal truth%n",
        n, outageMs, leased.size(), finished, h.emulator.state().stats().faultsInjected(),
        FaultCounts.byKind(h.emulator.state().stats(), "slow"),
        h.emulator.state().stats().totalRequests(), failed, n - diverged.size(), n);

    assertThat(diverged).as("calendars whose mirror differs from Google").isEmpty();
    assertThat(finished).as("jobs in flight at the outage, synced ok after it").isEqualTo(leased.size());
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE last_sync_status = 'ok'")).isEqualTo(n);
    assertThat(h.query("SELECT integration_id, error_class, error FROM failed_jobs").stream()
        .map(r -> r.getLong(0) + " " + r.getString(1) + ": " + r.getString(2)).toList()).as("failed_jobs").isEmpty();
    assertThat(h.emulator.state().stats().faultsInjected()).as("faults injected").isPositive();
    SyncOverlaps.assertNone(h);
    String metrics = web.get(h.app.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
    for (String kind : new String[] {"database", "google"}) {
      assertThat(metrics.lines().filter(l -> l.startsWith("calsync_recovered_failures_total{kind=\"" + kind + "\"}"))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum())
          .as("the " + kind + " failures it recovered from are counted").isPositive();
    }
    assertThat(logs.atLeast(Level.ERROR)).as("an outage that heals needs no person: nothing logged at ERROR").isEmpty();
  }

  private int ready() {
    try {
      return web.get(h.app.httpPort(), "127.0.0.1", "/ready").send().await().statusCode();
    } catch (RuntimeException e) {
      return -1;
    }
  }
}
