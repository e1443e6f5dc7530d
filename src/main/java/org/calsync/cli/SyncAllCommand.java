package org.calsync.cli;

import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.db.JobQueue;
import org.calsync.scheduler.SchedulerTasks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Queues a manual sync of every active integration; the running daemon works them off. */
@Command(name = "sync-all", mixinStandardHelpOptions = true, description = "Queue a sync of every active integration now.")
public final class SyncAllCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config = new ConfigOption();

  @Mixin
  JsonOption json = new JsonOption();

  @Override
  public Integer call() {
    int n = Cli.withApp(config, new App.Parts(false, false, false), (rt, app) ->
        new SchedulerTasks(rt.vertx(), Cli.config(config), app.pool()).dispatchCycle(null, 0, JobQueue.PRIORITY_MANUAL));
    if (!json.print(new io.vertx.core.json.JsonObject().put("queued", n))) System.out.println("queued " + n + " integrations");
    return 0;
  }
}
