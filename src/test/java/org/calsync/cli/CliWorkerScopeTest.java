package org.calsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.calsync.App;
import org.calsync.db.JobQueue;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * sync and test-auto-sync run workers in the CLI process: they take only their own integrations' jobs, even when
 * other jobs are due on the same database, and stop waiting at --timeout.
 */
@ExtendWith(HarnessExtension.class)
class CliWorkerScopeTest {
  private Harness h;
  private Path configFile;
  private List<Long> ids;

  @BeforeEach
  void setUp(Harness harness) throws Exception {
    h = harness.start(new App.Parts(false, false, false));
    configFile = Files.createTempFile("calsync", ".json");
    Files.writeString(configFile, h.configJson(new JsonObject().put("token", new JsonObject().put("keys", h.keys))).encodePrettily());
    ids = new ArrayList<>(h.connectSeeded(3, 4).values().stream().sorted().toList());
    h.query("DELETE FROM jobs");
  }

  @Test
  void syncAndTestAutoSyncLeaveAnUnrelatedDueJobAlone() {
    long unrelated = ids.get(2);
    new JobQueue(h.pool()).enqueue(unrelated, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now().minusMinutes(1)).await();

    Run sync = run("sync", Long.toString(ids.get(0)));
    assertThat(sync.exit()).as(sync.out()).isZero();
    assertUntouched(unrelated);

    Run auto = run("test-auto-sync", "--user-id", Long.toString(userOf(ids.get(1))));
    assertThat(auto.exit()).as(auto.out()).isZero();
    assertThat(auto.out()).contains("1 of 1 integrations synced");
    assertUntouched(unrelated);
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE last_sync_status = 'ok'")).isEqualTo(2);
  }

  @Test
  void theWaitEndsAtTheTimeoutWhileAnotherProcessHoldsTheJob() {
    long busy = ids.get(0);
    new JobQueue(h.pool()).enqueue(busy, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    assertThat(new JobQueue(h.pool()).claim("daemon", 10, 300, List.of(), List.of(busy)).await()).hasSize(1);

    Run sync = run("sync", Long.toString(busy), "--timeout", "1", "--json");
    assertThat(sync.exit()).as(sync.out()).isEqualTo(1);
    assertThat(sync.json().getBoolean("timedOut")).isTrue();

    Run auto = run("test-auto-sync", "--user-id", Long.toString(userOf(busy)), "--timeout", "1");
    assertThat(auto.exit()).as(auto.out()).isEqualTo(1);
    assertThat(auto.out()).contains("timed out after 1 s with 1 integrations still queued");
    Row job = h.query("SELECT locked_by, rerun FROM jobs WHERE integration_id = $1", busy).get(0);
    assertThat(job.getString(0)).isEqualTo("daemon");
    assertThat(job.getBoolean(1)).as("runs once more after the holder").isTrue();
  }

  private long userOf(long integrationId) {
    return h.longValue("SELECT user_id FROM user_integrations WHERE id = $1", integrationId);
  }

  private void assertUntouched(long integrationId) {
    Row job = h.query("SELECT locked_by, attempts FROM jobs WHERE integration_id = $1", integrationId).get(0);
    assertThat(job.getString(0)).as("never claimed").isNull();
    assertThat(job.getInteger(1)).isZero();
    assertThat(h.query("SELECT last_sync_at FROM user_integrations WHERE id = $1", integrationId).get(0).getValue(0)).isNull();
  }

  private record Run(int exit, String out) {
    JsonObject json() {
      int start = out.startsWith("{") ? 0 : out.indexOf("\n{") + 1;
      return new JsonObject(out.substring(start, out.indexOf("\n}", start) + 2));
    }
  }

  private Run run(String... args) {
    List<String> full = new ArrayList<>(List.of(args[0], "-c", configFile.toString()));
    full.addAll(List.of(args).subList(1, args.length));
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      return new Run(CalsyncCommand.commandLine().execute(full.toArray(new String[0])), buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(old);
    }
  }
}
