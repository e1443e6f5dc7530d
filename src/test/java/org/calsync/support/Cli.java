package org.calsync.support;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.calsync.cli.CalsyncCommand;

/** Runs calsync CLI commands in-process against a harness's database and emulator, capturing what they print. */
public final class Cli {
  /** Exit code; everything printed (out: stdout then stderr), and stdout and stderr apart. */
  public record Run(int exit, String out, String stdout, String stderr) {
    /** stdout as one JSON document (the command was run with --json). */
    public JsonObject json() {
      return new JsonObject(stdout);
    }
  }

  private Cli() {
  }

  /** A config file for the harness; sections in overrides are merged in (e.g. token.keys). */
  public static Path configFile(Harness h, JsonObject overrides) {
    JsonObject base = new JsonObject()
        .put("db", new JsonObject().put("url", h.dbUrl).put("poolSize", 4))
        .put("google", new JsonObject().put("apiBaseUrl", h.emulator.baseUrl() + "/calendar/v3")
            .put("tokenUrl", h.emulator.baseUrl() + "/token").put("revokeUrl", h.emulator.baseUrl() + "/revoke")
            .put("clientId", "calsync-local").put("clientSecret", "calsync-local-secret").put("requestTimeoutMs", 5000))
        .put("http", new JsonObject().put("port", 0))
        .put("token", new JsonObject().put("keys", "t:" + java.util.Base64.getEncoder().encodeToString(new byte[32])));
    for (String section : overrides.fieldNames()) {
      base.put(section, base.getJsonObject(section, new JsonObject()).mergeIn(overrides.getJsonObject(section)));
    }
    try {
      Path f = Files.createTempFile("calsync-test", ".json");
      Files.writeString(f, base.encodePrettily());
      f.toFile().deleteOnExit();
      return f;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs the command with stdin (may be null) and returns its exit code and output. Not thread-safe (System.out). */
  public static synchronized Run run(String stdin, String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    InputStream in = System.in;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
      if (stdin != null) System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      int code = CalsyncCommand.commandLine().execute(args);
      String o = stdout.toString(StandardCharsets.UTF_8);
      String e = stderr.toString(StandardCharsets.UTF_8);
      return new Run(code, o + e, o, e);
    } finally {
      System.setOut(out);
      System.setErr(err);
      System.setIn(in);
      out.print(stdout.toString(StandardCharsets.UTF_8));
      err.print(stderr.toString(StandardCharsets.UTF_8));
    }
  }
}
