package org.calsync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.calsync.App;
import org.calsync.db.JobQueue;
import org.calsync.emulator.FaultProfile;
import org.calsync.scheduler.SchedulerTasks;
import org.calsync.support.DaemonProcess;
import org.calsync.support.Harness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Health, readiness and metrics over HTTP; SIGTERM handling; the systemd unit. */
class OpsTest {
  private Harness h;

  @AfterEach
  void tearDown() throws Exception {
    if (h != null) h.close();
  }

  @Test
  void healthReadyAndPrometheusMetricsWithCalsyncMeters() {
    h = new Harness().start(new App.Parts(true, false, true));
    h.connectSeeded(4, 3);
    h.emulator.state().setFaults(FaultProfile.none().withServerError(0.2));
    h.runCycle();
    WebClient web = WebClient.create(h.vertx);
    try {
      var health = web.get(h.app.httpPort(), "127.0.0.1", "/health").send().await();
      assertThat(health.statusCode()).isEqualTo(200);
      var ready = web.get(h.app.httpPort(), "127.0.0.1", "/ready").send().await();
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.bodyAsJsonObject().getString("status")).isEqualTo("UP");
      Harness.sleep(200);
      String metrics = web.get(h.app.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
      assertThat(metrics).contains("calsync_syncs_total{outcome=\"synced\"}")
          .contains("calsync_google_calls_total{op=\"events.list\",reason=\"\",status=\"200\"}")
          .contains("calsync_google_calls_total{op=\"events.list\"")
          .contains("calsync_queue_depth").contains("calsync_failed_jobs").contains("calsync_oldest_due_seconds")
          .contains("calsync_token_refreshes_total{outcome=\"ok\"} 4.0").contains("jvm_memory_used_bytes").contains("vertx_http_client");
    } finally {
      web.close();
    }
  }

  @Test
  void sigtermFinishesOrReleasesInFlightJobsAndExits() throws Exception {
    h = new Harness().start(new App.Parts(false, false, false));
    h.connectSeeded(40, 3);
    h.emulator.state().setFaults(FaultProfile.none().withLatency(300, 0));
    JsonObject cfg = h.configJson(new JsonObject().put("sync", new JsonObject().put("maxConcurrent", 4))
        .put("scheduler", new JsonObject().put("enabled", false)));
    DaemonProcess d = new DaemonProcess(Files.createTempDirectory("calsync-term"), "d", cfg, h.keys).start();
    try {
      new SchedulerTasks(h.vertx, h.config, h.pool()).dispatchCycle(null, 0, JobQueue.PRIORITY_MANUAL).await();
      long deadline = System.currentTimeMillis() + 60_000;
      while (h.query("SELECT count(*) FROM user_integrations WHERE last_sync_at IS NOT NULL").get(0).getLong(0) < 4
          && System.currentTimeMillis() < deadline) {
        Harness.sleep(100);
      }
      int exit = d.terminate();
      assertThat(exit).as("stopped by SIGTERM within the bound").isIn(0, 143);
      assertThat(d.log()).contains("calsync stopping").contains("calsync stopped");
      assertThat(h.query("SELECT count(*) FROM jobs WHERE locked_until > now()").get(0).getLong(0)).as("nothing left leased").isZero();
      long synced = h.query("SELECT count(*) FROM user_integrations WHERE last_sync_at IS NOT NULL").get(0).getLong(0);
      long queued = h.query("SELECT count(*) FROM jobs").get(0).getLong(0);
      assertThat(synced + queued).as("every integration is synced or still queued").isEqualTo(40);
      assertThat(queued).as("it stopped before finishing the cycle").isPositive();
    } finally {
      d.close();
    }
  }

  @Test
  void systemdUnitRunsTheDaemonWithRestartHardeningAndASecretsFile() throws Exception {
    Map<String, String> unit = new HashMap<>();
    for (String line : Files.readAllLines(Path.of("conf/calsync.service"))) {
      if (line.isBlank() || line.startsWith("#") || line.startsWith("[")) continue;
      int eq = line.indexOf('=');
      unit.put(line.substring(0, eq), line.substring(eq + 1));
    }
    assertThat(unit.get("ExecStart")).contains("-jar /opt/calsync/target/calsync.jar run");
    assertThat(unit.get("Restart")).isEqualTo("on-failure");
    assertThat(unit.get("EnvironmentFile")).isNotBlank();
    assertThat(unit.get("KillSignal")).isEqualTo("SIGTERM");
    assertThat(Integer.parseInt(unit.get("TimeoutStopSec"))).as("longer than the 25 s drain").isGreaterThan(30);
    assertThat(unit.get("NoNewPrivileges")).isEqualTo("true");
    assertThat(unit.get("ProtectSystem")).isEqualTo("strict");
    assertThat(unit).as("the JIT needs writable+executable memory").doesNotContainKey("MemoryDenyWriteExecute");
    assertThat(unit.get("User")).isEqualTo("calsync");
  }
}
