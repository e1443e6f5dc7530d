package org.calsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calsync.App;
import org.calsync.support.Cli;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each command prints only its result on stdout (tables and sentences, or JSON with --json); documented exit codes. */
@ExtendWith(HarnessExtension.class)
class CliOutputTest {
  private Harness h;
  private Path config;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.start(new App.Parts(false, false, false));
    config = Cli.configFile(h, new JsonObject().put("token", new JsonObject().put("keys", h.keys)));
    h.connectSeeded(2, 3);
  }

  private Cli.Run cli(String... words) {
    List<String> args = new ArrayList<>(List.of(words));
    args.addAll(List.of("-c", config.toString()));
    return Cli.run(null, args.toArray(new String[0]));
  }

  /** stdout has no log line (timestamped, leveled or JSON-encoded) in it. */
  private static void noLogLines(Cli.Run run) {
    for (String line : run.stdout().lines().toList()) {
      assertThat(line).as(run.stdout()).doesNotContainPattern("^\\d\\d:\\d\\d:\\d\\d").doesNotContain("\"timestamp\"")
          .doesNotContain(" WARN ").doesNotContain(" INFO ").doesNotContain("MeterRegistry");
    }
  }

  @Test
  void resultsAreSentencesAndTablesOnStdoutAndJsonWithTheFlag() {
    Cli.Run failed = cli("failed", "list");
    assertThat(failed.exit()).isZero();
    assertThat(failed.stdout()).isEqualTo("0 failed jobs\n");

    Cli.Run queued = cli("sync-all");
    assertThat(queued.stdout()).isEqualTo("queued 2 integrations\n");
    assertThat(cli("sync-all", "--json").json()).isEqualTo(new JsonObject().put("queued", 2));

    long id = h.longValue("SELECT min(id) FROM user_integrations");
    Cli.Run sync = cli("sync", Long.toString(id));
    assertThat(sync.exit()).as(sync.out()).isZero();
    assertThat(sync.stdout()).matches("integration " + id + " synced \\((full|incremental)\\): \\d+ events updated, 0 deleted, 1 calendars\n");
    Cli.Run syncJson = cli("sync", "--json", Long.toString(id));
    assertThat(syncJson.json().getString("lastSyncStatus")).isEqualTo("ok");

    Cli.Run status = cli("status");
    assertThat(status.exit()).isZero();
    noLogLines(status);
    assertThat(status.stdout()).startsWith("integrations").contains("2 active").endsWith("all integrations OK\n");
    JsonObject statusJson = cli("status", "--json").json();
    assertThat(statusJson.getJsonObject("integrations").getLong("active")).isEqualTo(2);
    h.query("UPDATE user_integrations SET auth_kind = 'delegated' WHERE id = $1", id);
    assertThat(cli("status").stdout()).containsPattern("auth kinds +1 delegated, 1 oauth\n");
    JsonObject kinds = cli("status", "--json").json().getJsonObject("authKinds");
    assertThat(kinds.getLong("delegated")).isEqualTo(1);
    assertThat(kinds.getLong("oauth")).isEqualTo(1);
    h.query("UPDATE user_integrations SET auth_kind = 'oauth' WHERE id = $1", id);

    assertThat(cli("api-key", "create", "--name", "emr", "--scope", "read").stdout()).startsWith("csk_").hasLineCount(1);
    Cli.Run keys = cli("api-key", "list");
    assertThat(keys.stdout().lines().toList()).hasSize(3);
    assertThat(keys.stdout()).startsWith("id  name  scope").endsWith("1 api keys\n");
    assertThat(new JsonArray(cli("api-key", "list", "--json").stdout()).getJsonObject(0).getString("name")).isEqualTo("emr");

    Cli.Run health = cli("token-health", "--json");
    assertThat(health.json().getInteger("healthy")).isEqualTo(2);
    assertThat(cli("token-health").stdout()).isEqualTo("checked 2 active integrations: 2 healthy, 0 need a reconnect, 0 could not be checked\n");
    assertThat(cli("verify-audit", "--json").json().getBoolean("ok")).isTrue();
    assertThat(cli("cleanup", "--json").json().getInteger("failedJobsDeleted")).isZero();
    for (Cli.Run r : List.of(failed, queued, sync, syncJson, keys, health)) noLogLines(r);
  }

  @Test
  void exitCodesAreDocumentedAndKept() {
    Cli.Run help = Cli.run(null, "status", "--help");
    assertThat(help.stdout()).contains("Exit codes:").contains("0   done").contains("1   something failed or needs attention")
        .contains("2   bad usage");
    assertThat(Cli.run(null, "--help").stdout()).contains("Exit codes:");
    assertThat(cli("status", "--no-such-option").exit()).as("bad usage").isEqualTo(2);
    assertThat(cli("failed", "retry", "nonsense").exit()).isEqualTo(2);
    assertThat(cli("sync", "999999").exit()).as("unknown integration: bad input").isEqualTo(2);

    h.query("UPDATE user_integrations SET status = 'needs_reconnect' WHERE id = (SELECT min(id) FROM user_integrations)");
    Cli.Run status = cli("status");
    assertThat(status.exit()).as("needs attention").isEqualTo(1);
    assertThat(status.stdout()).contains("needs attention: 1 integrations need a reconnect");
    assertThat(cli("status", "--json").exit()).isEqualTo(1);
  }
}
