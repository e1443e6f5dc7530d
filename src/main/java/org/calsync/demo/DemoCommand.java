package org.calsync.demo;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.calsync.App;
import org.calsync.VertxRuntime;
import org.calsync.config.CalsyncConfig;
import org.calsync.db.Db;
import org.calsync.db.JobQueue;
import org.calsync.scheduler.SchedulerTasks;
import org.calsync.emulator.EmulatorOptions;
import org.calsync.emulator.GoogleEmulator;
import org.calsync.emulator.SeededUser;
import org.calsync.token.Connections;
import org.calsync.token.CredentialCipher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The demo: an embedded PostgreSQL (or --db-url), the local Google emulator seeded with N practitioners (a tenth of
 * them connect through Google's consent flow, {@link ConsentDemo}, one of them reconnecting after revoking), and the full
 * daemon syncing them every minute while the emulator keeps editing events. Meanwhile an EMR ({@link DemoEmr}) books,
 * reschedules and cancels appointments through the HTTP API with a key it creates. Prints progress and a summary per
 * cycle; after the last cycle the edits stop, every integration is synced once more (a manual sync queued after the
 * last edit, awaited until the queue is empty), and the run ends by checking every mirror against Google's truth
 * (exit 0 when all are equal), after the EMR has read back its appointments' write states and the notices.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the daemon against the local Google emulator with seeded integrations.")
public final class DemoCommand implements Callable<Integer> {
  private static final long SETTLE_TIMEOUT_MS = 300_000;

  @Option(names = "--integrations", defaultValue = "1000", description = "Practitioners to seed (default ${DEFAULT-VALUE})")
  int integrations;

  @Option(names = "--events-per-user", defaultValue = "20", description = "Events per calendar (default ${DEFAULT-VALUE})")
  int eventsPerUser;

  @Option(names = "--cycles", defaultValue = "3", description = "Sync cycles to run, one a minute (default ${DEFAULT-VALUE})")
  int cycles;

  @Option(names = "--changes-per-second", defaultValue = "20", description = "Emulator edits per second (default ${DEFAULT-VALUE})")
  double changesPerSecond;

  @Option(names = "--db-url", description = "Use this PostgreSQL (an empty database) instead of an embedded one")
  String dbUrl;

  @Option(names = "--consent-port", defaultValue = "0",
      description = "Port of the consent pages (default ${DEFAULT-VALUE} = any free port)")
  int consentPort;

  /** Practitioners connected through the consent flow, and whether the reconnect after a revoked grant worked. */
  int consentConnected;
  boolean reconnected;

  @Option(names = "--http-port", defaultValue = "8080", description = "Ops HTTP port (default ${DEFAULT-VALUE}; 0 = any)")
  int httpPort;

  @Option(names = "--api-port", defaultValue = "8081", description = "EMR API port (default ${DEFAULT-VALUE}; 0 = any)")
  int apiPort;

  /** Where the demo prints (tests read it). */
  PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    EmbeddedDb embedded = dbUrl == null ? EmbeddedDb.start() : null;
    VertxRuntime rt = VertxRuntime.create();
    GoogleEmulator emulator = null;
    App app = null;
    DemoEmr emr = null;
    try {
      EmulatorOptions eo = EmulatorOptions.defaults();
      int port = consentPort != 0 ? consentPort : freePort();
      emulator = GoogleEmulator.start(rt.vertx(), eo).await();
      out.printf("Google emulator at %s; seeding %d practitioners x %d events%n", emulator.baseUrl(), integrations, eventsPerUser);
      List<SeededUser> users = emulator.state().seed(integrations, eventsPerUser);
      CalsyncConfig config = CalsyncConfig.fromJson(new JsonObject()
          .put("db", new JsonObject().put("url", embedded != null ? embedded.url() : dbUrl).put("poolSize", 16))
          .put("google", new JsonObject().put("apiBaseUrl", emulator.baseUrl() + "/calendar/v3")
              .put("tokenUrl", emulator.baseUrl() + "/token").put("revokeUrl", emulator.baseUrl() + "/revoke")
              .put("clientId", eo.clientId()).put("clientSecret", eo.clientSecret()))
          .put("sync", new JsonObject().put("intervalMinutes", 1).put("stagger", false).put("retryBaseSeconds", 5))
          .put("http", new JsonObject().put("port", httpPort)).put("api", new JsonObject().put("port", apiPort))
          .put("consent", new JsonObject().put("enabled", true).put("publicBaseUrl", "http://127.0.0.1:" + port)
              .put("listenPort", port).put("authorizationUrl", emulator.baseUrl() + "/o/oauth2/v2/auth")
              .put("jwksUrl", emulator.baseUrl() + "/oauth2/v3/certs")));
      CredentialCipher cipher = CredentialCipher.ephemeral();
      int viaConsent = Math.max(1, users.size() / 10);
      connectAll(rt, config, cipher, users.subList(viaConsent, users.size()), viaConsent + 1);
      DemoProgress progress = new DemoProgress(System.out);
      progress.attach(rt.vertx());
      Future<JsonObject> first = progress.nextCycle();
      app = App.start(rt.vertx(), config, cipher, rt.registry(), App.Parts.ALL).await();
      out.printf("calsync running: http://127.0.0.1:%d/metrics /health /ready; sync cycle every minute%n", app.httpPort());
      ConsentDemo consent = new ConsentDemo(rt.vertx(), app.pool(), emulator, "http://127.0.0.1:" + port, out);
      consentConnected = consent.connect(users.subList(0, viaConsent).stream().map(SeededUser::email).toList(), 1);
      out.printf("%d practitioners connected themselves through Google's consent flow (link, consent screen, "
          + "callback, return URL); %d with stored refresh tokens%n", consentConnected, users.size() - viaConsent);
      emulator.state().mutationDriver().start(changesPerSecond);
      emr = DemoEmr.connect(rt.vertx(), app.pool(), app.apiPort(), out);
      emr.bookRescheduleCancel();
      JsonObject summary = first.await();
      for (int c = 2; c <= cycles; c++) summary = progress.nextCycle().await();
      emulator.state().mutationDriver().stop();
      out.printf("edits stopped after %d changes; syncing every integration once more%n",
          emulator.state().mutationDriver().mutations());
      reconnected = consent.reconnectAfterRevoke(users.get(0).email());
      syncAfterLastEdit(rt, config, app.pool());
      emr.readBack();
      emr.readNotices();
      int converged = converged(app.pool(), emulator, users);
      out.printf("%nsummary: %d integrations, last cycle synced %d, failed %d, %d events changed, %.1fs; "
              + "mirrors equal to Google: %d/%d%n", users.size(), summary.getInteger("synced"), summary.getInteger("failed"),
          summary.getLong("changedEvents"), summary.getDouble("durationSeconds"), converged, users.size());
      return converged == users.size() && reconnected && consentConnected == viaConsent ? 0 : 1;
    } finally {
      if (emr != null) emr.close();
      if (app != null) app.close().await(30, TimeUnit.SECONDS);
      if (emulator != null) emulator.close().await(10, TimeUnit.SECONDS);
      rt.vertx().close().await(10, TimeUnit.SECONDS);
      if (embedded != null) embedded.close();
    }
  }

  /** Queues a manual sync of every integration (the edits have stopped) and waits until the queue is empty. */
  static void syncAfterLastEdit(VertxRuntime rt, CalsyncConfig config, Pool pool) {
    new SchedulerTasks(rt.vertx(), config, pool).dispatchCycle(null, 0, JobQueue.PRIORITY_MANUAL).await();
    long deadline = System.currentTimeMillis() + SETTLE_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      if (pool.query("SELECT count(*) FROM jobs").execute().await().iterator().next().getLong(0) == 0) return;
      rt.vertx().timer(200).await();
    }
    System.out.println("the final syncs did not finish in " + SETTLE_TIMEOUT_MS / 1000 + " s");
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Stores the seeded refresh tokens as integrations of users firstUserId, firstUserId + 1, ... */
  private static void connectAll(VertxRuntime rt, CalsyncConfig config, CredentialCipher cipher, List<SeededUser> users,
                                 long firstUserId) {
    Db.migrate(rt.vertx(), config.db()).await();
    Pool pool = Db.pool(rt.vertx(), config.db());
    try {
      Connections connections = new Connections(rt.vertx(), pool, cipher);
      Future<Void> all = Future.succeededFuture();
      for (int i = 0; i < users.size(); i += 200) {
        List<SeededUser> batch = users.subList(i, Math.min(users.size(), i + 200));
        int base = i;
        all = all.compose(v -> Future.all(batch.stream().map(u ->
            connections.connect(firstUserId + base + batch.indexOf(u), u.email(), u.refreshToken())).toList()).mapEmpty());
      }
      all.await();
    } finally {
      pool.close().await();
    }
  }

  /** Integrations whose mirrored live events equal the emulator's ground truth (ids and {@link EventStates}). */
  static int converged(Pool pool, GoogleEmulator emulator, List<SeededUser> users) {
    Map<String, Map<String, String>> mirror = new HashMap<>();
    for (Row r : pool.query("SELECT " + EventStates.MIRROR_COLUMNS + " FROM calendar_events e "
        + "JOIN calendars c ON c.id = e.calendar_id WHERE e.status <> 'cancelled'").execute().await()) {
      mirror.computeIfAbsent(r.getString(0), k -> new HashMap<>()).put(r.getString(1), EventStates.ofMirror(r));
    }
    int ok = 0;
    for (SeededUser u : users) {
      Map<String, String> truth = new HashMap<>();
      for (JsonObject e : emulator.state().groundTruth(u.email())) truth.put(e.getString("id"), EventStates.ofGoogle(e));
      if (truth.equals(mirror.getOrDefault(u.email(), Map.of()))) ok++;
    }
    return ok;
  }
}
