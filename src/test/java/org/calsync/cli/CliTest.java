package org.calsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.calsync.App;
import org.calsync.emulator.FaultProfile;
import org.calsync.support.Harness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The admin commands, run as an operator would, against the real database and emulator. */
class CliTest {
  private Harness h;
  private Path configFile;
  private Map<String, Long> ids;

  @BeforeEach
  void setUp() throws Exception {
    h = new Harness().start(new App.Parts(false, false, false));
    JsonObject cfg = h.configJson(new JsonObject().put("token", new JsonObject().put("keys", h.keys)));
    configFile = Files.createTempFile("calsync", ".json");
    Files.writeString(configFile, cfg.encodePrettily());
    ids = h.connectSeeded(3, 5);
  }

  @AfterEach
  void tearDown() throws Exception {
    h.close();
  }

  private record Run(int exit, String out) {
    /** The JSON document the command printed (log lines may surround it on stdout). */
    JsonObject json() {
      int start = out.startsWith("{") ? 0 : out.indexOf("\n{") + 1;
      return new JsonObject(out.substring(start, out.indexOf("\n}", start) + 2));
    }
  }

  private Run run(String... args) {
    String[] full = new String[args.length + 2];
    int split = args[0].equals("failed") ? 2 : 1;
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
  void syncOneTestAutoSyncStatusAndSyncAll() {
    long id = ids.values().stream().sorted().findFirst().orElseThrow();
    Run sync = run("sync", Long.toString(id));
    assertThat(sync.exit()).isZero();
    assertThat(sync.json().getString("lastSyncStatus")).isEqualTo("ok");
    assertThat(h.query("SELECT count(*) FROM user_integrations WHERE last_sync_at IS NOT NULL").get(0).getLong(0)).isEqualTo(1);

    Run auto = run("test-auto-sync", "--user-id", "2");
    assertThat(auto.exit()).isZero();
    assertThat(auto.out()).contains("1 of 1 integrations synced");

    Run all = run("test-auto-sync");
    assertThat(all.exit()).isZero();
    assertThat(all.out()).contains("3 of 3 integrations synced");

    Run status = run("status");
    assertThat(status.exit()).isZero();
    JsonObject s = status.json();
    assertThat(s.getJsonObject("integrations").getLong("active")).isEqualTo(3);
    assertThat(s.getJsonObject("queue").getLong("depth")).isZero();

    Run queued = run("sync-all");
    assertThat(queued.out()).contains("queued 3 integrations");
    assertThat(h.query("SELECT count(*) FROM jobs WHERE priority = 10").get(0).getLong(0)).isEqualTo(3);
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
    Run health = run("token-health");
    JsonObject hr = health.json();
    assertThat(hr.getInteger("checked")).isEqualTo(3);
    assertThat(hr.getInteger("healthy")).isEqualTo(2);
    assertThat(hr.getInteger("needsReconnect")).isEqualTo(1);

    Run cleanup = run("cleanup");
    assertThat(cleanup.exit()).isZero();
    assertThat(cleanup.json().getInteger("failedJobsDeleted")).isZero();

    Run audit = run("verify-audit");
    assertThat(audit.exit()).isZero();
    assertThat(audit.out()).contains("audit log intact");
  }

  @Test
  void everyCommandHasHelpAndBadConfigNamesTheKey() throws Exception {
    for (String cmd : new String[] {"run", "demo", "emulator", "connect", "sync", "sync-all", "test-auto-sync", "cleanup",
        "token-health", "status", "verify-audit"}) {
      CommandLine cl = CalsyncCommand.commandLine();
      java.io.StringWriter sw = new java.io.StringWriter();
      cl.setOut(new java.io.PrintWriter(sw));
      assertThat(cl.execute(cmd, "--help")).as(cmd).isZero();
      assertThat(sw.toString()).as(cmd).contains("Usage:");
    }
    Files.writeString(configFile, h.configJson(new JsonObject().put("sync", new JsonObject().put("intervalMinutes", "often")))
        .encodePrettily());
    CommandLine cl = CalsyncCommand.commandLine();
    java.io.StringWriter err = new java.io.StringWriter();
    cl.setErr(new java.io.PrintWriter(err));
    assertThat(cl.execute("status", "-c", configFile.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("sync.intervalMinutes").contains("fix:");
  }
}
