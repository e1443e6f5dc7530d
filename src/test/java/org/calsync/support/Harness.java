package org.calsync.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.calsync.App;
import org.calsync.VertxRuntime;
import org.calsync.config.CalsyncConfig;
import org.calsync.db.JobQueue;
import org.calsync.demo.EventStates;
import org.calsync.emulator.EmulatorOptions;
import org.calsync.emulator.GoogleEmulator;
import org.calsync.emulator.SeededUser;
import org.calsync.scheduler.SchedulerTasks;
import org.calsync.token.Connections;
import org.calsync.token.CredentialCipher;

/**
 * One test world: a fresh database, the Google emulator on a random port, and calsync's real verticles. Blocking
 * helpers for the test thread; nothing of calsync is replaced.
 */
public final class Harness implements AutoCloseable {
  public final VertxRuntime runtime;
  public final Vertx vertx;
  public final GoogleEmulator emulator;
  public final String dbUrl;
  /** token.keys of this world, so that separate daemon processes can share it. */
  public final String keys = "t1:" + java.util.Base64.getEncoder().encodeToString(randomKey());
  public final CredentialCipher cipher = CredentialCipher.fromConfig(new org.calsync.config.TokenConfig(300, keys, ""));
  public CalsyncConfig config;
  public App app;

  public Harness(EmulatorOptions options) {
    this(options, TestDb.freshDatabase());
  }

  /** A world on the given (empty) database. */
  public Harness(EmulatorOptions options, String dbUrl) {
    runtime = VertxRuntime.create();
    vertx = runtime.vertx();
    emulator = GoogleEmulator.start(vertx, options).await();
    this.dbUrl = dbUrl;
    config = config(new JsonObject());
  }

  private static byte[] randomKey() {
    byte[] k = new byte[32];
    new java.security.SecureRandom().nextBytes(k);
    return k;
  }

  public Harness() {
    this(EmulatorOptions.defaults());
  }

  /** A config pointing at this harness's database and emulator; overrides are merged per section. */
  public CalsyncConfig config(JsonObject overrides) {
    return CalsyncConfig.fromJson(configJson(overrides));
  }

  /** The config as JSON (for a config file handed to a separate process). */
  public JsonObject configJson(JsonObject overrides) {
    JsonObject base = new JsonObject()
        .put("db", new JsonObject().put("url", dbUrl).put("poolSize", 8))
        .put("google", new JsonObject().put("apiBaseUrl", emulator.baseUrl() + "/calendar/v3")
            .put("tokenUrl", emulator.baseUrl() + "/token").put("revokeUrl", emulator.baseUrl() + "/revoke")
            .put("clientId", "calsync-local").put("clientSecret", "calsync-local-secret").put("requestTimeoutMs", 5000))
        .put("sync", new JsonObject().put("retryBaseSeconds", 0).put("pollMs", 50).put("intervalMinutes", 30))
        .put("http", new JsonObject().put("port", 0).put("metricsRefreshSeconds", 1))
        .put("api", new JsonObject().put("port", 0));
    for (String section : overrides.fieldNames()) {
      JsonObject s = base.getJsonObject(section, new JsonObject());
      base.put(section, s.mergeIn(overrides.getJsonObject(section)));
    }
    return base;
  }

  /** Applies config overrides (merged per section, see {@link #config(JsonObject)}) before {@link #start}. */
  public Harness configure(JsonObject overrides) {
    config = config(overrides);
    return this;
  }

  public Harness start(App.Parts parts) {
    app = App.start(vertx, config, cipher, runtime.registry(), parts).await();
    return this;
  }

  public Pool pool() {
    return app.pool();
  }

  /** Seeds users in the emulator and connects each as an integration; returns integration id by email. */
  public Map<String, Long> connectSeeded(int users, int eventsPerUser) {
    List<SeededUser> seeded = emulator.state().seed(users, eventsPerUser);
    Map<String, Long> ids = new HashMap<>();
    Connections c = new Connections(vertx, pool(), cipher);
    long userId = 1;
    for (SeededUser u : seeded) ids.put(u.email(), c.connect(userId++, u.email(), u.refreshToken()).await());
    return ids;
  }

  /** Queues every active integration now and waits until the queue is empty (or only holds later retries). */
  public void runCycle() {
    new SchedulerTasks(vertx, config, pool()).dispatchCycle(null, 0, JobQueue.PRIORITY_MANUAL).await();
    awaitQueueDrained(120);
  }

  /** As {@link #runCycle} at the scheduler's own priority (a scheduled sync, not a manual one). */
  public void runScheduledCycle() {
    new SchedulerTasks(vertx, config, pool()).dispatchCycle(null, 0, JobQueue.PRIORITY_SCHEDULED).await();
    awaitQueueDrained(120);
  }

  public void awaitQueueDrained(int seconds) {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    while (System.currentTimeMillis() < deadline) {
      if (count("SELECT count(*) FROM jobs") == 0) return;
      sleep(50);
    }
    throw new AssertionError("queue not drained in " + seconds + " s: " + query("SELECT integration_id, attempts, last_error FROM jobs").size() + " jobs left");
  }

  public List<Row> query(String sql, Object... params) {
    List<Row> rows = new ArrayList<>();
    pool().preparedQuery(sql).execute(Tuple.from(params)).await().forEach(rows::add);
    return rows;
  }

  /** The count a {@code SELECT count(*) ...} query returns. */
  public long count(String sql, Object... params) {
    return longValue(sql, params);
  }

  /** The first column of the first row, as a long (an id, a max, a number column). */
  public long longValue(String sql, Object... params) {
    return query(sql, params).get(0).getLong(0);
  }

  /** Live events mirrored for a Google calendar id: their ids, compared with {@link #truth} by id and state. */
  public Set<String> mirrored(String calendarId) {
    Map<String, String> states = new HashMap<>();
    for (Row r : query("SELECT " + EventStates.MIRROR_COLUMNS + " FROM calendar_events e JOIN calendars c ON c.id = e.calendar_id "
        + "WHERE c.google_calendar_id = $1 AND e.status <> 'cancelled'", calendarId)) {
      states.put(r.getString(1), EventStates.ofMirror(r));
    }
    return new LiveEvents(states);
  }

  /** The emulator's live events of a calendar: their ids, compared with {@link #mirrored} by id and state. */
  public Set<String> truth(String calendarId) {
    Map<String, String> states = new HashMap<>();
    for (JsonObject e : emulator.state().groundTruth(calendarId)) states.put(e.getString("id"), EventStates.ofGoogle(e));
    return new LiveEvents(states);
  }

  public JsonObject responseData(long integrationId) {
    Object v = query("SELECT response_data FROM user_integrations WHERE id = $1", integrationId).get(0).getValue(0);
    return v instanceof JsonObject o ? o : new JsonObject();
  }

  /** Waits up to 30 s for condition; fails naming what it waited for. */
  public static void await(String what, BooleanSupplier condition) {
    await(what, 30, condition);
  }

  /** Waits up to the given seconds for condition; fails naming what it waited for. */
  public static void await(String what, int seconds, BooleanSupplier condition) {
    eventually(seconds, () -> {
      if (!condition.getAsBoolean()) throw new AssertionError("timed out waiting for: " + what);
    });
  }

  /** Retries the assertions until they pass, up to 30 s; then fails with their last error. */
  public static void eventually(Runnable assertions) {
    eventually(30, assertions);
  }

  private static void eventually(int seconds, Runnable assertions) {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    while (true) {
      try {
        assertions.run();
        return;
      } catch (AssertionError e) {
        if (System.currentTimeMillis() > deadline) throw e;
        sleep(50);
      }
    }
  }

  /** A TCP port free at the time of the call. */
  public static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static <T> T await(Future<T> f) {
    return f.await();
  }

  @Override
  public void close() throws Exception {
    if (app != null) app.close().await(30, TimeUnit.SECONDS);
    emulator.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

}
