package org.calsync.cli;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.config.CalsyncConfig;
import org.calsync.db.Integrations;
import org.calsync.db.JobQueue;
import org.calsync.scheduler.SchedulerTasks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs one automatic-sync cycle now (optionally for one user's integrations) with a worker here, limited to the
 * cycle's integrations, and reports each once settled or when --timeout passes.
 */
@Command(name = "test-auto-sync", mixinStandardHelpOptions = true,
    description = "Run one sync cycle now and report per integration.")
public final class TestAutoSyncCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config = new ConfigOption();

  @Mixin
  JsonOption json = new JsonOption();

  @Option(names = "--user-id", description = "Only this user's integrations")
  Long userId;

  @Option(names = "--timeout", defaultValue = Waits.DEFAULT_TIMEOUT_SECONDS, paramLabel = "SECONDS",
      description = "Stop waiting after this many seconds; unfinished jobs stay queued (default: ${DEFAULT-VALUE})")
  long timeoutSeconds;

  @Override
  public Integer call() {
    CalsyncConfig cfg = Cli.config(config);
    JsonArray report = Cli.withApp(config, new App.Parts(false, false, false), (rt, app) -> {
      OffsetDateTime started = OffsetDateTime.now();
      return new Integrations(app.pool()).activeIds(userId).compose(ids -> ids.isEmpty() ? Future.succeededFuture(new JsonArray())
          : LocalWorkers.around(rt, cfg, app, ids, () ->
              new SchedulerTasks(rt.vertx(), cfg, app.pool()).dispatchCycle(userId, 0, JobQueue.PRIORITY_MANUAL)
                  .compose(n -> Waits.settled(rt.vertx(), app.pool(), ids, started, timeoutSeconds))));
    });
    int ok = 0;
    int timedOut = 0;
    Table t = new Table("integration", "user", "status", "result", "upserted", "deleted", "error");
    for (Object o : report) {
      JsonObject r = (JsonObject) o;
      JsonObject res = r.getJsonObject("result", new JsonObject());
      if ("ok".equals(r.getString("lastSyncStatus"))) ok++;
      if (r.getBoolean("timedOut", false)) timedOut++;
      t.row(r.getLong("integrationId"), r.getLong("userId"), r.getString("status"), r.getString("lastSyncStatus"),
          res.getValue("upserted"), res.getValue("deleted"), r.getString("error"));
    }
    int exit = ok == report.size() && timedOut == 0 ? 0 : 1;
    if (json.print(new JsonObject().put("integrations", report).put("synced", ok).put("timedOut", timedOut))) return exit;
    if (t.size() > 0) t.print(System.out);
    if (timedOut > 0) System.out.println("timed out after " + timeoutSeconds + " s with " + timedOut + " integrations still queued");
    System.out.println(ok + " of " + report.size() + " integrations synced");
    return exit;
  }
}
