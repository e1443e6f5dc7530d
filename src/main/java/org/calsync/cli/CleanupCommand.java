package org.calsync.cli;

import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.scheduler.SchedulerTasks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs the daily cleanup now. */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
    description = "Delete what the daily cleanup deletes, now: old failed jobs, past appointments, their conflict reports, "
        + "past mirror rows (scheduler.*RetentionDays), audit records past the owner's retention and notices older than "
        + "notices.retentionDays.")
public final class CleanupCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config = new ConfigOption();

  @Mixin
  JsonOption json = new JsonOption();

  @Override
  public Integer call() {
    var r = Cli.withApp(config, new App.Parts(false, false, false),
        (rt, app) -> new SchedulerTasks(rt.vertx(), Cli.config(config), app.pool()).cleanup());
    if (!json.print(r)) {
      System.out.println("deleted " + r.getValue("failedJobsDeleted") + " failed jobs past scheduler.failedJobRetentionDays; purged "
          + r.getValue("auditRecordsPurged") + " audit records past the owner's retention");
    }
    return 0;
  }
}
