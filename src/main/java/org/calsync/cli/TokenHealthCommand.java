package org.calsync.cli;

import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.scheduler.SchedulerTasks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs the weekly token health check now. */
@Command(name = "token-health", mixinStandardHelpOptions = true,
    description = "Verify every active integration's refresh token; mark the dead ones needs_reconnect.")
public final class TokenHealthCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config = new ConfigOption();

  @Mixin
  JsonOption json = new JsonOption();

  @Override
  public Integer call() {
    var r = Cli.withApp(config, new App.Parts(false, false, false),
        (rt, app) -> new SchedulerTasks(rt.vertx(), Cli.config(config), app.pool()).tokenHealth());
    if (!json.print(r)) {
      System.out.println("checked " + r.getValue("checked") + " active integrations: " + r.getValue("healthy") + " healthy, "
          + r.getValue("needsReconnect") + " need a reconnect, " + r.getValue("errors") + " could not be checked");
      if (r.getInteger("needsReconnect") > 0) System.out.println("see: integrations list --status needs_reconnect");
    }
    return r.getInteger("errors") == 0 ? 0 : 1;
  }
}
