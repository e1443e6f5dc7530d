package org.calsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.calsync.App;
import org.calsync.support.Cli;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** doctor: all OK on a healthy setup (database, emulator), and each cheaply broken thing named with its fix. */
@ExtendWith(HarnessExtension.class)
class DoctorTest {
  private Harness h;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.start(new App.Parts(false, false, false));
    h.connectSeeded(1, 1);
  }

  private Cli.Run doctor(JsonObject overrides) {
    JsonObject o = new JsonObject().put("token", new JsonObject().put("keys", h.keys)).mergeIn(overrides);
    Path config = Cli.configFile(h, o);
    return Cli.run(null, "doctor", "-c", config.toString());
  }

  /** The doctor's line for one check. */
  private static String line(Cli.Run run, String check) {
    return run.stdout().lines().filter(l -> l.matches("^(OK|PROBLEM)\\s+" + check + "\\s.*")).findFirst()
        .orElseThrow(() -> new AssertionError("no " + check + " line in\n" + run.stdout()));
  }

  @Test
  void aHealthySetupPassesEveryCheck() {
    Cli.Run run = doctor(new JsonObject());
    assertThat(run.exit()).as(run.out()).isZero();
    for (String check : new String[] {"config", "keys", "database", "clock", "migrations", "credentials", "google", "disk"}) {
      assertThat(line(run, check)).startsWith("OK");
    }
    assertThat(line(run, "credentials")).contains("opens");
    assertThat(run.stdout()).endsWith("all checks passed\n");
    JsonObject json = Cli.run(null, "doctor", "--json", "-c", Cli.configFile(h, new JsonObject().put("token",
        new JsonObject().put("keys", h.keys))).toString()).json();
    assertThat(json.getBoolean("ok")).isTrue();
  }

  @Test
  void eachProblemIsNamedWithItsFix() {
    Cli.Run otherKey = doctor(new JsonObject().put("token", new JsonObject().put("keys",
        "t9:" + java.util.Base64.getEncoder().encodeToString(new byte[32]))));
    assertThat(otherKey.exit()).isEqualTo(1);
    assertThat(line(otherKey, "credentials")).startsWith("PROBLEM").contains("fix:").contains("key backup");

    int closed = Harness.freePort();
    Cli.Run noDb = doctor(new JsonObject().put("db", new JsonObject().put("url", "postgresql://postgres@127.0.0.1:" + closed + "/x")));
    assertThat(noDb.exit()).isEqualTo(1);
    assertThat(line(noDb, "database")).startsWith("PROBLEM").contains("does not answer").contains("fix: start PostgreSQL");

    Cli.Run noGoogle = doctor(new JsonObject().put("google", new JsonObject().put("tokenUrl", "http://127.0.0.1:" + closed + "/token")));
    assertThat(line(noGoogle, "google")).startsWith("PROBLEM").contains("not reachable").contains("fix:");
    Cli.Run badClient = doctor(new JsonObject().put("google", new JsonObject().put("clientSecret", "wrong")));
    assertThat(line(badClient, "google")).startsWith("PROBLEM").contains("invalid_client").contains("CALSYNC_GOOGLE_CLIENT_SECRET");

    Cli.Run webhook = doctor(new JsonObject().put("push", new JsonObject().put("enabled", true)
        .put("webhookUrl", "https://127.0.0.1:" + closed + "/webhooks/google")));
    assertThat(line(webhook, "webhook")).startsWith("PROBLEM").contains("not reachable from here").contains("fix:");

    Cli.Run badConfig = doctor(new JsonObject().put("sync", new JsonObject().put("intervalMinutes", "often")));
    assertThat(badConfig.exit()).isEqualTo(1);
    assertThat(line(badConfig, "config")).startsWith("PROBLEM").contains("sync.intervalMinutes");
    assertThat(badConfig.stdout()).as("config and nothing else but disk checked").endsWith("1 problem found\n")
        .doesNotContain("database");
  }
}
