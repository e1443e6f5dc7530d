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

  @Override
  public Integer call() {
    var r = Cli.withApp(config, new App.Parts(false, false, false),
        (rt, app) -> new SchedulerTasks(rt.vertx(), Cli.config(config), app.pool()).tokenHealth());
    System.out.println(r.encodePrettily());
    return r.getInteger("errors") == 0 ? 0 : 1;
  }
}
