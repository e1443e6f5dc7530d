package org.calsync.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.db.Integrations;
import org.calsync.db.JobQueue;
import org.calsync.scheduler.SchedulerTasks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs one automatic-sync cycle now (optionally for one user's integrations) with a worker here, and reports each. */
@Command(name = "test-auto-sync", mixinStandardHelpOptions = true,
    description = "Run one sync cycle now and report per integration.")
public final class TestAutoSyncCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config = new ConfigOption();

  @Option(names = "--user-id", description = "Only this user's integrations")
  Long userId;

  @Override
  public Integer call() {
    JsonArray report = Cli.withApp(config, new App.Parts(true, false, false), (rt, app) -> {
      OffsetDateTime started = OffsetDateTime.now();
      return new Integrations(app.pool()).activeIds(userId).compose(ids ->
          new SchedulerTasks(rt.vertx(), Cli.config(config), app.pool()).dispatchCycle(userId, 0, JobQueue.PRIORITY_MANUAL)
              .compose(n -> Waits.settled(rt.vertx(), app.pool(), ids, started)));
    });
    int ok = 0;
    System.out.printf("%-12s %-8s %-16s %-10s %-9s %-9s %s%n", "integration", "user", "status", "result", "upserted", "deleted", "error");
    for (Object o : report) {
      JsonObject r = (JsonObject) o;
      JsonObject res = r.getJsonObject("result", new JsonObject());
      if ("ok".equals(r.getString("lastSyncStatus"))) ok++;
      System.out.printf("%-12d %-8d %-16s %-10s %-9s %-9s %s%n", r.getLong("integrationId"), r.getLong("userId"),
          r.getString("status"), r.getString("lastSyncStatus"), res.getValue("upserted", "-"), res.getValue("deleted", "-"),
          r.getString("error", ""));
    }
    System.out.println(ok + " of " + report.size() + " integrations synced");
    return ok == report.size() ? 0 : 1;
  }
}
