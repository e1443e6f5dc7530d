package org.calsync.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calsync.emulator.EmulatorOptions;
import org.calsync.emulator.FaultProfile;
import org.calsync.emulator.GoogleEmulator;
import org.calsync.emulator.SeededUser;

/**
 * The Google emulator the benchmark talks to: a separate JVM ({@code org.calsync.Main emulator}, driven through its
 * admin API, so its CPU is not counted as calsync's) or, for tests, one in this JVM on its own Vertx instance.
 */
abstract class EmulatorHandle implements AutoCloseable {
  abstract String baseUrl();

  /** Users user1..userN@clinic.test, each given eventsPerUser more events and a fresh refresh token. */
  abstract List<SeededUser> seed(int users, int eventsPerUser);

  /** Every Calendar API request is delayed by latencyMs (OAuth and admin are not). */
  abstract void latency(long latencyMs);

  /** Inserts one event per calendar (server-side edits, as a person would make them). */
  abstract void insertEvents(List<String> calendarIds, String summary);

  /** CPU time the emulator has used so far (ns); -1 when it shares this JVM. */
  abstract long cpuNanos();

  @Override
  public abstract void close();

  static JsonObject newEvent(String summary, int i) {
    long hour = (System.currentTimeMillis() / 3_600_000L + 24 + (i % 500)) * 3_600_000L;
    return new JsonObject().put("summary", summary)
        .put("start", new JsonObject().put("dateTime", java.time.Instant.ofEpochMilli(hour).toString()))
        .put("end", new JsonObject().put("dateTime", java.time.Instant.ofEpochMilli(hour + 1_800_000L).toString()));
  }

  /** In this JVM, on a Vertx instance of its own. */
  static EmulatorHandle inProcess() {
    Vertx vertx = Vertx.vertx();
    GoogleEmulator emu = GoogleEmulator.start(vertx, EmulatorOptions.defaults()).await();
    return new EmulatorHandle() {
      String baseUrl() { return emu.baseUrl(); }
      List<SeededUser> seed(int users, int eventsPerUser) { return emu.state().seed(users, eventsPerUser); }
      void latency(long ms) { emu.state().setFaults(FaultProfile.none().withLatency(ms, 0)); }
      void insertEvents(List<String> ids, String summary) {
        for (int i = 0; i < ids.size(); i++) emu.state().insertEvent(ids.get(i), newEvent(summary, i));
      }
      long cpuNanos() { return -1; }
      public void close() {
        try {
          emu.close().await(10, TimeUnit.SECONDS);
          vertx.close().await(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          throw new IllegalStateException("emulator did not stop in time", e);
        }
      }
    };
  }

  /** {@code java <jvmOptions> -cp <this classpath> org.calsync.Main emulator --port 0}. */
  static EmulatorHandle process(List<String> jvmOptions) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmOptions);
    cmd.add("-Dlogback.configurationFile=" + System.getProperty("logback.configurationFile", "conf/logback-demo.xml"));
    cmd.add("-DCALSYNC_DEMO_LOG=bench-emulator.log");
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.calsync.Main", "emulator", "--port", "0", "--print-tokens", "0"));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      Pattern listening = Pattern.compile("listening on (http://\\S+)");
      String url = null;
      StringBuilder seen = new StringBuilder();
      for (String line; url == null && (line = out.readLine()) != null; ) {
        seen.append(line).append('\n');
        Matcher m = listening.matcher(line);
        if (m.find()) url = m.group(1);
      }
      if (url == null) {
        p.destroyForcibly();
        throw new IllegalStateException("emulator process did not start:\n" + seen);
      }
      Thread drain = new Thread(() -> {
        try {
          while (out.readLine() != null) {
            // discard
          }
        } catch (IOException e) {
          // process gone
        }
      }, "bench-emulator-out");
      drain.setDaemon(true);
      drain.start();
      return new Remote(p, url);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the emulator process: " + e.getMessage(), e);
    }
  }

  private static final class Remote extends EmulatorHandle {
    private final Process process;
    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    Remote(Process process, String baseUrl) {
      this.process = process;
      this.baseUrl = baseUrl;
    }

    String baseUrl() {
      return baseUrl;
    }

    List<SeededUser> seed(int users, int eventsPerUser) {
      JsonObject r = call("POST", "/admin/seed", new JsonObject().put("users", users).put("eventsPerUser", eventsPerUser));
      List<SeededUser> out = new ArrayList<>(users);
      for (Object o : r.getJsonArray("users", new JsonArray())) {
        JsonObject u = (JsonObject) o;
        out.add(new SeededUser(u.getString("email"), u.getString("refreshToken")));
      }
      return out;
    }

    void latency(long ms) {
      call("PUT", "/admin/faults", FaultProfile.none().withLatency(ms, 0).toJson());
    }

    void insertEvents(List<String> ids, String summary) {
      Semaphore room = new Semaphore(32);
      List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
      for (int i = 0; i < ids.size(); i++) {
        room.acquireUninterruptibly();
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + "/admin/calendars/" + ids.get(i) + "/events"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(newEvent(summary, i).encode())).build();
        all.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> room.release()));
      }
      for (CompletableFuture<HttpResponse<String>> f : all) {
        HttpResponse<String> r = f.join();
        if (r.statusCode() >= 300) throw new IllegalStateException("admin insert: " + r.statusCode() + " " + r.body());
      }
    }

    long cpuNanos() {
      return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    private JsonObject call(String method, String path, JsonObject body) {
      HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.encode())).timeout(Duration.ofMinutes(5)).build();
      try {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
        return r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body());
      } catch (IOException e) {
        throw new IllegalStateException(method + " " + path + ": " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
