package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.calsync.App;
import org.calsync.db.JobQueue;
import org.calsync.emulator.EmulatorOptions;
import org.calsync.emulator.FaultProfile;
import org.calsync.scheduler.SchedulerTasks;
import org.calsync.support.Harness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL goes away mid-cycle and comes back: /ready turns red then green, the daemon recovers without a restart,
 * and no job is lost. Uses its own embedded server so that it can be stopped.
 */
class DatabaseOutageTest {
  private EmbeddedPostgres pg;
  private Harness h;
  private WebClient web;

  @AfterEach
  void tearDown() throws Exception {
    if (web != null) web.close();
    if (h != null) h.close();
    if (pg != null) pg.close();
  }

  private EmbeddedPostgres startPg(Path dir, int port) throws Exception {
    return EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port).start();
  }

  @Test
  void readinessFollowsPostgresAndNoJobIsLostAcrossARestart() throws Exception {
    Path dir = Files.createTempDirectory("calsync-pg");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    pg = startPg(dir, port);
    h = new Harness(EmulatorOptions.defaults(), "postgresql://postgres@127.0.0.1:" + port + "/postgres");
    h.config = h.config(new JsonObject().put("sync", new JsonObject().put("leaseSeconds", 5).put("pollMs", 100).put("maxConcurrent", 8))
        .put("db", new JsonObject().put("poolSize", 4)));
    h.start(new App.Parts(true, false, true));
    web = WebClient.create(h.vertx);
    Map<String, Long> ids = h.connectSeeded(60, 10);
    assertThat(ready()).isEqualTo(200);

    h.emulator.state().setFaults(FaultProfile.none().withLatency(100, 50));
    new SchedulerTasks(h.vertx, h.config, h.pool()).dispatchCycle(null, 0, JobQueue.PRIORITY_MANUAL).await();
    Harness.sleep(400);
    pg.close();
    pg = null;
    long deadline = System.currentTimeMillis() + 15_000;
    while (ready() != 503 && System.currentTimeMillis() < deadline) Harness.sleep(100);
    assertThat(ready()).as("not ready without PostgreSQL").isEqualTo(503);
    Harness.sleep(2000);

    pg = startPg(dir, port);
    deadline = System.currentTimeMillis() + 30_000;
    while (ready() != 200 && System.currentTimeMillis() < deadline) Harness.sleep(200);
    assertThat(ready()).as("ready again").isEqualTo(200);
    h.emulator.state().setFaults(FaultProfile.none());
    h.awaitQueueDrained(120);

    for (String cal : ids.keySet()) assertThat(h.mirrored(cal)).as("mirror of %s", cal).isEqualTo(h.truth(cal));
    assertThat(h.query("SELECT count(*) FROM user_integrations WHERE last_sync_status = 'ok'").get(0).getLong(0)).isEqualTo(60);
    assertThat(h.query("SELECT count(*) FROM failed_jobs").get(0).getLong(0)).isZero();
  }

  private int ready() {
    try {
      return web.get(h.app.httpPort(), "127.0.0.1", "/ready").send().await().statusCode();
    } catch (RuntimeException e) {
      return -1;
    }
  }
}
