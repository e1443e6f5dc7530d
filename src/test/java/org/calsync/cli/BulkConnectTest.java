package org.calsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
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
import org.junit.jupiter.api.io.TempDir;

/** connect --from-file: many practitioners in one process, reported per line, idempotent, a bad file changes nothing. */
@ExtendWith(HarnessExtension.class)
class BulkConnectTest {
  private Harness h;
  private Path config;
  @TempDir
  Path dir;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.start(new App.Parts(false, false, false));
    config = Cli.configFile(h, new JsonObject().put("token", new JsonObject().put("keys", h.keys)));
  }

  private Cli.Run connect(Path file, String... more) {
    List<String> args = new ArrayList<>(List.of("connect", "--from-file", file.toString(), "-c", config.toString()));
    args.addAll(List.of(more));
    return Cli.run(null, args.toArray(new String[0]));
  }

  private String user(int i) {
    String email = "dr" + i + "@clinic.test";
    h.emulator.state().createUser(email);
    return email;
  }

  @Test
  void aThousandPractitionersConnectOnceAndRerunningChangesNothing() throws Exception {
    StringBuilder csv = new StringBuilder("user_id,email,refresh_token\n");
    List<String> tokens = new ArrayList<>();
    for (int i = 1; i <= 1000; i++) {
      String email = user(i);
      String token = h.emulator.state().mintRefreshToken(email);
      tokens.add(token);
      csv.append(i).append(',').append(email).append(',').append(token).append('\n');
    }
    Path file = Files.writeString(dir.resolve("clinic.csv"), csv);
    long started = System.nanoTime();
    Cli.Run first = connect(file, "--json");
    System.err.printf("connect --from-file: 1000 practitioners in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    assertThat(first.exit()).as(first.stderr()).isZero();
    JsonObject counts = first.json().getJsonObject("counts");
    assertThat(counts.getInteger("connected")).isEqualTo(1000);
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE status = 'active'")).isEqualTo(1000);
    assertThat(first.out()).as("tokens never echoed").doesNotContain(tokens.get(0)).doesNotContain(tokens.get(999));

    Cli.Run again = connect(file);
    assertThat(again.exit()).isZero();
    assertThat(again.stdout()).endsWith("1000 lines: 0 connected, 0 reconnected, 1000 unchanged, 0 errors\n");
    assertThat(h.count("SELECT count(*) FROM user_integrations")).isEqualTo(1000);
    String user = System.getProperty("user.name");
    Harness.await("connections audited as the operating-system user",
        () -> h.count("SELECT count(*) FROM audit_log WHERE action = 'integration.connected' AND actor = $1", user) == 1000);
  }

  @Test
  void jsonLinesReconnectNewTokensAndReportBadLinesWhileTheOthersGoOn() throws Exception {
    String a = user(1);
    String b = user(2);
    long existing = new org.calsync.token.Connections(h.vertx, h.pool(), h.cipher).connect(1, a, h.emulator.state().mintRefreshToken(a)).await();
    String fresh = h.emulator.state().mintRefreshToken(a);
    Path file = Files.writeString(dir.resolve("clinic.jsonl"), String.join("\n",
        new JsonObject().put("userId", 1).put("email", a.toUpperCase()).put("refreshToken", fresh).encode(),
        "# a comment",
        new JsonObject().put("userId", 2).put("email", b).put("refreshToken", h.emulator.state().mintRefreshToken(b)).encode(),
        new JsonObject().put("userId", "three").put("email", "dr3@clinic.test").put("refreshToken", "x").encode(),
        new JsonObject().put("userId", 4).put("email", "dr4@clinic.test").put("refreshToken", " ").encode()) + "\n");
    Cli.Run run = connect(file);
    assertThat(run.exit()).as("some lines failed").isEqualTo(1);
    List<String> lines = run.stdout().lines().toList();
    assertThat(lines.get(0)).startsWith("line  user  e-mail");
    assertThat(lines.get(1)).contains("reconnected").contains(" " + existing + " ");
    assertThat(lines.get(2)).contains("connected");
    assertThat(lines.get(3)).contains("error").contains("user id must be a positive number");
    assertThat(lines.get(4)).contains("error").contains("refresh token is missing");
    assertThat(lines.get(5)).isEqualTo("4 lines: 1 connected, 1 reconnected, 0 unchanged, 2 errors");
    assertThat(run.out()).doesNotContain(fresh);
    assertThat(new org.calsync.token.Connections(h.vertx, h.pool(), h.cipher).storedRefreshToken(existing).await()).isEqualTo(fresh);
  }

  @Test
  void aBadFileChangesNothing() throws Exception {
    String a = user(1);
    String token = h.emulator.state().mintRefreshToken(a);
    Path noHeader = Files.writeString(dir.resolve("a.csv"), "1," + a + "," + token + "\n");
    Path shortLine = Files.writeString(dir.resolve("b.csv"), "user_id,email,refresh_token\n1," + a + "," + token + "\n2,dr2@clinic.test\n");
    Path notJson = Files.writeString(dir.resolve("c.jsonl"), "{\"userId\": 1, \"email\": \"" + a + "\", \"refreshToken\": \"" + token
        + "\"}\n{\"userId\": 2, \n");
    for (Path bad : List.of(noHeader, shortLine, notJson, dir.resolve("missing.csv"))) {
      Cli.Run run = connect(bad);
      assertThat(run.exit()).as(bad.toString()).isEqualTo(2);
      assertThat(run.stdout()).isEmpty();
      assertThat(run.stderr()).contains("nothing was changed").doesNotContain(token);
    }
    assertThat(connect(shortLine).stderr()).contains("line 3 has 2 fields");
    assertThat(connect(notJson).stderr()).contains("line 2 is not a JSON object");
    assertThat(h.count("SELECT count(*) FROM user_integrations")).isZero();
  }
}
