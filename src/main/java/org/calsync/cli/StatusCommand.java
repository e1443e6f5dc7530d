package org.calsync.cli;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.db.Integrations;
import org.calsync.db.JobQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Integrations by state, the last cycle, the queue. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show integrations by state, last cycle and queue depth.")
public final class StatusCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config = new ConfigOption();

  @Override
  public Integer call() {
    JsonObject status = Cli.withApp(config, new App.Parts(false, false, false), (rt, app) ->
        new Integrations(app.pool()).countsByStatus().compose(counts -> new JobQueue(app.pool()).stats()
            .compose(queue -> app.pool().query("SELECT task, last_run_at, detail FROM scheduler_runs ORDER BY task").execute()
                .map(rs -> {
                  JsonObject tasks = new JsonObject();
                  rs.forEach(r -> tasks.put(r.getString(0), new JsonObject().put("lastRunAt", r.getOffsetDateTime(1).toString())
                      .put("detail", r.getValue(2))));
                  return new JsonObject().put("integrations", counts).put("queue", queue).put("scheduler", tasks);
                }))));
    System.out.println(status.encodePrettily());
    return 0;
  }
}
