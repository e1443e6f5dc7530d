package org.calsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.calsync.App;
import org.calsync.audit.AuditLog;
import org.calsync.emulator.FaultProfile;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/** The admin commands, run as an operator would, against the real database and emulator. */
@ExtendWith(HarnessExtension.class)
class CliTest {
  private Harness h;
  private Path configFile;
  private Map<String, Long> ids;

  @BeforeEach
  void setUp(Harness harness) throws Exception {
    h = harness.start(new App.Parts(false, false, false));
    // the oldest records of the chain (purges remove a prefix): one past the 60-day retention, one within it
    new AuditLog(h.pool()).append(List.of(
        new AuditLog.Entry(Instant.now().minus(Duration.ofDays(90)), "test", "test.old", null, "{}"),
        new AuditLog.Entry(Instant.now().minus(Duration.ofDays(45)), "test", "test.recent", null, "{}"))).await();
    h.query("UPDATE audit_retention SET days = 60");
    JsonObject cfg = h.configJson(new JsonObject().put("token", new JsonObject().put("keys", h.keys)));
    configFile = Files.createTempFile("calsync", ".json");
    Files.writeString(configFile, cfg.encodePrettily());
    ids = h.connectSeeded(3, 5);
  }

  private record Run(int exit, String out) {
    /** The JSON document the command printed (run with --json: stdout is exactly that document). */
    JsonObject json() {
      return new JsonObject(out);
    }
  }

  private Run run(String... args) {
    String[] full = new String[args.length + 2];
    int split = args[0].equals("failed") || args[0].equals("api-key") ? 2 : 1;
    System.arraycopy(args, 0, full, 0, split);
    full[split] = "-c";
    full[split + 1] = configFile.toString();
    System.arraycopy(args, split, full, split + 2, args.length - split);
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int exit = CalsyncCommand.commandLine().execute(full);
      return new Run(exit, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(old);
    }
  }

  @Test
  void apiKeysAreCreatedOnceStoredHashedListedAndRevoked() {
    Run created = run("api-key", "create", "--name", "emr", "--scope", "write");
    assertThat(created.exit()).isZero();
    String key = created.out().lines().filter(l -> l.startsWith("csk_")).findFirst().orElseThrow();
    long id = Long.parseLong(key.split("_")[1]);
    assertThat(new org.calsync.api.ApiKeys(h.pool()).check(key).await().scope()).isEqualTo("write");
    assertThat(h.count("SELECT count(*) FROM api_keys WHERE position(convert_to($1, 'UTF8') in key_hash) > 0", key)).isZero();
    Run list = run("api-key", "list", "--json");
    assertThat(list.out()).contains("\"name\" : \"emr\"").doesNotContain(key.substring(key.lastIndexOf('_') + 1));
    assertThat(run("api-key", "create", "--name", "x", "--scope", "admin").exit()).isEqualTo(2);
    assertThat(run("api-key", "revoke", Long.toString(id)).exit()).isZero();
    assertThat(new org.calsync.api.ApiKeys(h.pool()).check(key).await()).isNull();
    assertThat(run("api-key", "revoke", Long.toString(id)).exit()).isEqualTo(1);
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action IN ('api_key.create', 'api_key.revoke')")).isEqualTo(2);
  }

  @Test
  void syncOneTestAutoSyncStatusAndSyncAll() {
    Map<Long, Long> integrationByUser = new java.util.HashMap<>();
    for (var r : h.query("SELECT user_id, id FROM user_integrations")) integrationByUser.put(r.getLong(0), r.getLong(1));
    long id = integrationByUser.get(1L);
    Run sync = run("sync", "--json", Long.toString(id));
    assertThat(sync.exit()).isZero();
    assertThat(sync.json().getString("lastSyncStatus")).isEqualTo("ok");
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE last_sync_at IS NOT NULL")).isEqualTo(1);

    assertThat(run("status", "--json").json().getValue("lastCycle")).as("no automatic cycle yet").isNull();
    // the scheduler's record of a cycle that starts now; the sync above is older and not counted
    h.query("INSERT INTO scheduler_runs (task, last_run_at, detail) "
        + "VALUES ('auto_sync', now(), jsonb_build_object('enqueued', 3, 'startedAt', now()))");

    Run auto = run("test-auto-sync", "--user-id", "2");
    assertThat(auto.exit()).isZero();
    assertThat(auto.out()).contains("1 of 1 integrations synced");
    h.emulator.state().setFaults(FaultProfile.none().withServerError(1.0));
    assertThat(run("test-auto-sync", "--user-id", "3").exit()).isEqualTo(1);
    h.emulator.state().setFaults(FaultProfile.none());
    h.query("UPDATE calendars SET last_sync_at = now() - interval '2 hours' WHERE integration_id = $1", integrationByUser.get(2L));

    h.query("INSERT INTO busy_quarantine (calendar_id, root_id, reason, span_start) SELECT id, 'series-1', "
        + "'more than 50000 instances in the window', now() FROM calendars WHERE integration_id = $1", integrationByUser.get(2L));

    JsonObject s = run("status", "--json").json();
    assertThat(s.getJsonObject("busyQuarantine").getLong("events")).isEqualTo(1);
    assertThat(s.getJsonObject("busyQuarantine").getJsonArray("latest").getJsonObject(0).getString("eventId")).isEqualTo("series-1");
    assertThat(s.getJsonObject("integrations").getLong("active")).isEqualTo(3);
    assertThat(s.getJsonObject("queue").getLong("depth")).isZero();
    assertThat(s.getJsonObject("queue").getLong("failed")).isEqualTo(1);
    JsonObject cycle = s.getJsonObject("lastCycle");
    assertThat(cycle.getInteger("enqueued")).isEqualTo(3);
    assertThat(cycle.getLong("synced")).as("user 2 since the cycle started; user 1 synced before").isEqualTo(1);
    assertThat(cycle.getLong("failed")).as("user 3").isEqualTo(1);
    assertThat(cycle.getString("startedAt")).isNotBlank();
    assertThat(s.getDouble("oldestSyncAgeSeconds")).as("user 2's calendar, 2 h behind").isBetween(7200.0, 7800.0);

    Run all = run("test-auto-sync");
    assertThat(all.exit()).isZero();
    assertThat(all.out()).contains("3 of 3 integrations synced");
    JsonObject after = run("status", "--json").json();
    assertThat(after.getJsonObject("lastCycle").getLong("synced")).isEqualTo(3);
    assertThat(after.getJsonObject("lastCycle").getLong("failed")).isZero();
    assertThat(after.getDouble("oldestSyncAgeSeconds")).isLessThan(600.0);

    Run queued = run("sync-all");
    assertThat(queued.out()).contains("queued 3 integrations");
    assertThat(h.count("SELECT count(*) FROM jobs WHERE priority = 10")).isEqualTo(3);
  }

  @Test
  void failedListAndRetryCleanupTokenHealthAndVerifyAudit() {
    h.emulator.state().setFaults(FaultProfile.none().withServerError(1.0));
    Run failing = run("test-auto-sync");
    assertThat(failing.exit()).isEqualTo(1);
    h.emulator.state().setFaults(FaultProfile.none());
    // backoff 0 in tests: three attempts each, then failed_jobs
    Run list = run("failed", "list");
    assertThat(list.out()).contains("3 failed jobs").contains("backendError");
    assertThat(run("failed", "retry", "nonsense").exit()).isEqualTo(2);
    Run retry = run("failed", "retry", "all");
    assertThat(retry.out()).contains("requeued 3 failed jobs");
    assertThat(run("test-auto-sync").out()).contains("3 of 3 integrations synced");
    assertThat(run("failed", "list").out()).contains("0 failed jobs");

    String email = ids.keySet().stream().sorted().findFirst().orElseThrow();
    h.emulator.state().revokeUser(email);
    Run health = run("token-health", "--json");
    JsonObject hr = health.json();
    assertThat(hr.getInteger("checked")).isEqualTo(3);
    assertThat(hr.getInteger("healthy")).isEqualTo(2);
    assertThat(hr.getInteger("needsReconnect")).isEqualTo(1);

    h.query("INSERT INTO failed_jobs (integration_id, kind, attempts, error_class, error, failed_at) VALUES "
        + "(1, 'sync', 3, 'old', 'x', now() - interval '40 days'), (1, 'sync', 3, 'recent', 'x', now() - interval '5 days')");
    Run cleanup = run("cleanup", "--json");
    assertThat(cleanup.exit()).isZero();
    assertThat(cleanup.json().getInteger("failedJobsDeleted")).as("older than the 30-day retention").isEqualTo(1);
    assertThat(cleanup.json().getInteger("auditRecordsPurged")).as("older than the owner's retention of 60 days").isEqualTo(1);
    assertThat(h.query("SELECT error_class FROM failed_jobs").stream().map(r -> r.getString(0)).toList()).containsExactly("recent");
    assertThat(h.query("SELECT action FROM audit_log WHERE actor = 'test'").stream().map(r -> r.getString(0)).toList())
        .containsExactly("test.recent");
    assertThat(run("cleanup", "--json").json().getInteger("auditRecordsPurged")).as("nothing more is old enough").isZero();

    Run audit = run("verify-audit");
    assertThat(audit.exit()).isZero();
    assertThat(audit.out()).contains("audit log intact");
  }

  @Test
  void everyCommandHasHelpAndBadConfigNamesTheKey() throws Exception {
    List<List<String>> commands = new java.util.ArrayList<>();
    subcommands(CalsyncCommand.commandLine(), List.of(), commands);
    assertThat(commands).contains(List.of("run"), List.of("demo"), List.of("emulator"), List.of("connect"), List.of("sync"),
        List.of("sync-all"), List.of("test-auto-sync"), List.of("failed"), List.of("failed", "list"), List.of("failed", "retry"),
        List.of("cleanup"), List.of("token-health"), List.of("status"), List.of("verify-audit"), List.of("rotate-keys"),
        List.of("disconnect"));
    for (List<String> cmd : commands) {
      CommandLine cl = CalsyncCommand.commandLine();
      java.io.StringWriter sw = new java.io.StringWriter();
      cl.setOut(new java.io.PrintWriter(sw));
      List<String> args = new java.util.ArrayList<>(cmd);
      args.add("--help");
      assertThat(cl.execute(args.toArray(new String[0]))).as(cmd.toString()).isZero();
      assertThat(sw.toString()).as(cmd.toString()).contains("Usage:").contains(cmd.get(cmd.size() - 1));
    }
    Files.writeString(configFile, h.configJson(new JsonObject().put("sync", new JsonObject().put("intervalMinutes", "often")))
        .encodePrettily());
    CommandLine cl = CalsyncCommand.commandLine();
    java.io.StringWriter err = new java.io.StringWriter();
    cl.setErr(new java.io.PrintWriter(err));
    assertThat(cl.execute("status", "-c", configFile.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("sync.intervalMinutes").contains("fix:");
  }

  /** Every command path under cl except picocli's help command. */
  private static void subcommands(CommandLine cl, List<String> path, List<List<String>> out) {
    cl.getSubcommands().forEach((name, sub) -> {
      if (name.equals("help")) return;
      List<String> p = new java.util.ArrayList<>(path);
      p.add(name);
      out.add(p);
      subcommands(sub, p, out);
    });
  }
}
