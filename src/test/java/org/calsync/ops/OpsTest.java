package org.calsync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
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
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Health, readiness and metrics over HTTP; SIGTERM handling; the systemd unit. */
@ExtendWith(HarnessExtension.class)
class OpsTest {
  @Test
  void healthReadyAndPrometheusMetricsWithCalsyncMeters(Harness h) {
    h.start(new App.Parts(true, false, true));
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
      Harness.eventually(() -> {
        String metrics = web.get(h.app.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
        assertThat(metrics).contains("calsync_syncs_total{outcome=\"synced\"}")
            .contains("calsync_google_calls_total{op=\"events.list\",reason=\"\",status=\"200\"}")
            .contains("calsync_google_calls_total{op=\"events.list\"")
            .contains("calsync_queue_depth").contains("calsync_failed_jobs").contains("calsync_oldest_due_seconds")
            .contains("calsync_token_refreshes_total{outcome=\"ok\"} 4.0").contains("jvm_memory_used_bytes").contains("vertx_eventbus_pending")
            .doesNotContain("vertx_http_client");
        assertThat(metric(metrics, "calsync_queue_depth")).as("drained").isZero();
        assertThat(metric(metrics, "calsync_oldest_due_seconds")).isZero();
        assertThat(metric(metrics, "calsync_oldest_sync_age_seconds")).as("all just synced").isBetween(0.0, 120.0);
      });

      long stale = h.longValue("SELECT min(id) FROM user_integrations");
      h.query("UPDATE calendars SET last_sync_at = now() - interval '2 hours' WHERE integration_id = $1", stale);
      Harness.eventually(() -> {
        String metrics = web.get(h.app.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
        assertThat(metric(metrics, "calsync_oldest_sync_age_seconds")).as("nothing queued, one integration 2 h behind")
            .isBetween(7200.0, 7200.0 + 600);
        assertThat(metric(metrics, "calsync_oldest_due_seconds")).as("the queue metric cannot see it").isZero();
      });

      h.query("UPDATE user_integrations SET deferred_until = now() + interval '1 hour' WHERE id = $1", stale);
      Harness.eventually(() -> {
        String metrics = web.get(h.app.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
        assertThat(metric(metrics, "calsync_oldest_sync_age_seconds")).as("deferred integrations are not stale").isLessThan(7200.0);
      });
    } finally {
      web.close();
    }
  }

  @Test
  void sigtermFinishesOrReleasesInFlightJobsAndExits(Harness h) throws Exception {
    h.start(new App.Parts(false, false, false));
    h.connectSeeded(40, 3);
    h.emulator.state().setFaults(FaultProfile.none().withLatency(300, 0));
    JsonObject cfg = h.configJson(new JsonObject().put("sync", new JsonObject().put("maxConcurrent", 4))
        .put("scheduler", new JsonObject().put("enabled", false)));
    DaemonProcess d = new DaemonProcess(Files.createTempDirectory("calsync-term"), "d", cfg, h.keys).start();
    try {
      new SchedulerTasks(h.vertx, h.config, h.pool()).dispatchCycle(null, 0, JobQueue.PRIORITY_MANUAL).await();
      Harness.await("four integrations synced", 60,
          () -> h.count("SELECT count(*) FROM user_integrations WHERE last_sync_at IS NOT NULL") >= 4);
      int exit = d.terminate();
      assertThat(exit).as("stopped by SIGTERM within the bound").isIn(0, 143);
      assertThat(d.log()).contains("calsync stopping").contains("calsync stopped");
      assertThat(h.count("SELECT count(*) FROM jobs WHERE locked_until > now()")).as("nothing left leased").isZero();
      long synced = h.count("SELECT count(*) FROM user_integrations WHERE last_sync_at IS NOT NULL");
      long queued = h.count("SELECT count(*) FROM jobs");
      assertThat(synced + queued).as("every integration is synced or still queued").isEqualTo(40);
      assertThat(queued).as("it stopped before finishing the cycle").isPositive();
    } finally {
      d.close();
    }
  }

  @Test
  void systemdUnitRunsTheDaemonWithRestartHardeningAndASecretsFile() throws Exception {
    Path file = Path.of("conf/calsync.service");
    Map<String, Map<String, List<String>>> unit = new HashMap<>();
    String section = "";
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank() || line.startsWith("#")) continue;
      if (line.startsWith("[")) {
        section = line;
        continue;
      }
      int eq = line.indexOf('=');
      unit.computeIfAbsent(section, k -> new HashMap<>()).computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>())
          .add(line.substring(eq + 1));
    }
    Map<String, String> service = new HashMap<>();
    unit.get("[Service]").forEach((k, v) -> service.put(k, v.get(v.size() - 1)));
    assertThat(service.get("ExecStart")).contains("-jar /opt/calsync/target/calsync.jar run").contains(" $JAVA_OPTS ");
    assertThat(service.get("Restart")).isEqualTo("on-failure");
    assertThat(service.get("EnvironmentFile")).isNotBlank();
    assertThat(service.get("KillSignal")).isEqualTo("SIGTERM");
    assertThat(Integer.parseInt(service.get("TimeoutStopSec"))).as("longer than the 25 s drain").isGreaterThan(30);
    assertThat(service.get("NoNewPrivileges")).isEqualTo("true");
    assertThat(service.get("ProtectSystem")).isEqualTo("strict");
    assertThat(service).as("the JIT needs writable+executable memory").doesNotContainKey("MemoryDenyWriteExecute");
    assertThat(service.get("User")).isEqualTo("calsync");
    assertThat(unit.get("[Unit]")).as("start limits belong to [Unit]").containsKeys("StartLimitIntervalSec", "StartLimitBurst");
    assertThat(service).doesNotContainKeys("StartLimitIntervalSec", "StartLimitBurst");

    List<String> assignments = new ArrayList<>();
    for (String value : unit.get("[Service]").get("Environment")) assignments.addAll(systemdWords(value));
    assertThat(assignments).as("every Environment= word is an assignment (systemd drops the others)")
        .allMatch(w -> w.matches("[A-Za-z_][A-Za-z0-9_]*=.*"));
    assertThat(assignments).as("JAVA_OPTS is one quoted assignment holding all the options")
        .anyMatch(w -> w.startsWith("JAVA_OPTS=") && w.contains(" -Xmx384m ") && w.contains("-XX:+UseSerialGC")
            && w.endsWith(" -XX:+ExitOnOutOfMemoryError"));

    Path analyze = Path.of("/usr/bin/systemd-analyze");
    if (Files.isExecutable(analyze)) {
      Path copy = Files.createTempDirectory("calsync-unit").resolve("calsync.service");
      Files.copy(file, copy);
      Process p = new ProcessBuilder(analyze.toString(), "verify", copy.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      p.waitFor();
      assertThat(out.lines().filter(l -> l.contains(copy.toString()))).as("systemd-analyze verify: " + out).isEmpty();
    }
  }

  /** The value of an unlabelled Prometheus sample. */
  private static double metric(String scrape, String name) {
    return scrape.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
        .findFirst().orElseThrow(() -> new AssertionError(name + " not in /metrics"));
  }

  /** Splits an Environment= value the way systemd does: whitespace-separated words, double quotes keep a word whole. */
  private static List<String> systemdWords(String value) {
    List<String> words = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(value);
    while (m.find()) words.add(m.group(1) != null ? m.group(1) : m.group(2));
    return words;
  }
}
