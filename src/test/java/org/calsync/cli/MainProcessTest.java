package org.calsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.calsync.App;
import org.calsync.support.Cli;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real entry point (org.calsync.Main) in its own JVM, as run.sh starts it: a CLI command's stdout is its result
 * only, nothing is logged on a normal run (Micrometer's gauge warning included), and the daemon logs no library warning
 * while starting.
 */
@ExtendWith(HarnessExtension.class)
class MainProcessTest {

  private static Process start(Path dir, String name, List<String> jvm, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx256m");
    cmd.addAll(jvm);
    cmd.addAll(List.of("-cp", targetClassesFirst(), "org.calsync.Main"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve(name + ".out").toFile())
        .redirectError(dir.resolve(name + ".err").toFile());
    return pb.start();
  }

  /** The test classpath without test-classes (its logback-test.xml would win over Main's choice). */
  private static String targetClassesFirst() {
    List<String> parts = new ArrayList<>();
    for (String p : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!p.endsWith("test-classes") && !p.endsWith("test-classes/")) parts.add(p);
    }
    return String.join(File.pathSeparator, parts);
  }

  private static String read(Path dir, String file) throws Exception {
    return Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
  }

  @Test
  void cliCommandsPrintOnlyTheirResult(Harness harness, @TempDir Path dir) throws Exception {
    Harness h = harness.start(new App.Parts(false, false, false));
    h.connectSeeded(1, 2);
    Path config = Cli.configFile(h, new JsonObject().put("token", new JsonObject().put("keys", h.keys)));
    long id = h.longValue("SELECT min(id) FROM user_integrations");

    Process sync = start(dir, "sync", List.of(), "sync", Long.toString(id), "-c", config.toString());
    assertThat(sync.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(sync.exitValue()).as(read(dir, "sync.err")).isZero();
    assertThat(read(dir, "sync.out")).startsWith("integration " + id + " synced").hasLineCount(1);
    assertThat(read(dir, "sync.err")).as("nothing logged on a normal run").isEmpty();

    Process status = start(dir, "status", List.of(), "status", "--json", "-c", config.toString());
    assertThat(status.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(status.exitValue()).as(read(dir, "status.err")).isZero();
    assertThat(new JsonObject(read(dir, "status.out")).getJsonObject("integrations").getLong("active")).isEqualTo(1);
    assertThat(read(dir, "status.err")).isEmpty();
  }

  @Test
  void theDaemonStartsWithoutLibraryWarnings(Harness harness, @TempDir Path dir) throws Exception {
    Path config = dir.resolve("daemon.json");
    Files.writeString(config, harness.configJson(new JsonObject().put("token", new JsonObject().put("keys", harness.keys)))
        .encodePrettily());
    Process daemon = start(dir, "daemon", List.of("-Dlogback.configurationFile=conf/logback.xml"), "run", "-c", config.toString());
    try {
      Harness.await("daemon started", 120, () -> {
        try {
          return read(dir, "daemon.out").contains("calsync started");
        } catch (Exception e) {
          return false;
        }
      });
      String log = read(dir, "daemon.out") + read(dir, "daemon.err");
      assertThat(log).doesNotContain("\"level\":\"WARN\"").doesNotContain("already registered");
    } finally {
      daemon.destroy();
      if (!daemon.waitFor(40, TimeUnit.SECONDS)) daemon.destroyForcibly();
    }
  }
}
