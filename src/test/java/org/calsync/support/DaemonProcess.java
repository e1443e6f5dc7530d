package org.calsync.support;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** A calsync daemon in its own OS process (java -cp <test classpath> org.calsync.Main run), for crash tests. */
public final class DaemonProcess implements AutoCloseable {
  private final Path config;
  private final String keys;
  private final Path log;
  private final java.util.Map<String, String> env = new java.util.HashMap<>();
  private Process process;

  public DaemonProcess(Path dir, String name, JsonObject config, String keys) throws IOException {
    this.config = dir.resolve(name + ".json");
    this.log = dir.resolve(name + ".log");
    this.keys = keys;
    Files.writeString(this.config, config.encodePrettily());
  }

  public DaemonProcess start() throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "org.calsync.Main", "run", "-c", config.toString()));
    pb.environment().put("CALSYNC_TOKEN_KEYS", keys);
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    process = pb.start();
    return this;
  }

  /** An environment variable for the next {@link #start} (e.g. a secret that is never in the config file). */
  public DaemonProcess env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** SIGKILL: no shutdown hook runs, in-flight jobs stay leased until their lease lapses. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM: graceful shutdown. Returns the exit code. */
  public int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(40, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }

  /** The OS process id of the current run (calsync worker ids start with "pid@host/"). */
  public long pid() {
    return process.pid();
  }

  /**
   * Local ports of this process's TCP connections to a server port (its database sessions appear in pg_stat_activity
   * with these client ports). Read from /proc: Linux only.
   */
  public Set<Integer> connectionPorts(int serverPort) throws IOException {
    Path proc = Path.of("/proc", String.valueOf(pid()));
    Set<String> sockets = new HashSet<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
      for (Path fd : fds) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) sockets.add(target.substring(8, target.length() - 1));
        } catch (IOException closedMeanwhile) {
          // the descriptor went away while listing
        }
      }
    }
    Set<Integer> ports = new HashSet<>();
    for (String table : List.of("tcp", "tcp6")) {
      List<String> lines = Files.readAllLines(proc.resolve("net").resolve(table));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+"); // local, remote as HEXADDR:HEXPORT; f[9] is the socket inode
        if (port(f[2]) == serverPort && sockets.contains(f[9])) ports.add(port(f[1]));
      }
    }
    return ports;
  }

  private static int port(String hexAddress) {
    return Integer.parseInt(hexAddress.substring(hexAddress.indexOf(':') + 1), 16);
  }

  public boolean alive() {
    return process != null && process.isAlive();
  }

  public String log() throws IOException {
    File f = log.toFile();
    return f.exists() ? Files.readString(log) : "";
  }

  @Override
  public void close() throws InterruptedException {
    if (alive()) kill9();
  }
}
