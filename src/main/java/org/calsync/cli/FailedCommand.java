package org.calsync.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.db.JobQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** failed list | failed retry &lt;id|all&gt;. */
@Command(name = "failed", mixinStandardHelpOptions = true, description = "List or retry failed jobs.",
    subcommands = {FailedCommand.ListFailed.class, FailedCommand.RetryFailed.class})
public final class FailedCommand {
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List failed jobs (one per integration and error class, counted), latest first.")
  static final class ListFailed implements Callable<Integer> {
    @Mixin
    ConfigOption config = new ConfigOption();

    @Mixin
    JsonOption json = new JsonOption();

    @Option(names = "--limit", defaultValue = "100", description = "At most this many (default ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
      JsonArray rows = Cli.withApp(config, new App.Parts(false, false, false), (rt, app) -> new JobQueue(app.pool()).listFailed(limit));
      if (json.print(rows)) return 0;
      Table t = new Table("id", "integration", "attempts", "class", "times", "first failed at", "last failed at", "error");
      for (Object o : rows) {
        JsonObject r = (JsonObject) o;
        t.row(r.getLong("id"), r.getLong("integrationId"), r.getInteger("attempts"), r.getString("errorClass"),
            r.getInteger("occurrences"), Times.local(r.getString("firstFailedAt")), Times.local(r.getString("failedAt")),
            r.getString("error"));
      }
      if (t.size() > 0) t.print(System.out);
      System.out.println(rows.size() + " failed jobs" + (rows.isEmpty() ? "" : "; retry with: failed retry <id|all>"));
      return 0;
    }
  }

  @Command(name = "retry", mixinStandardHelpOptions = true, description = "Move failed jobs back to the queue.")
  static final class RetryFailed implements Callable<Integer> {
    @Mixin
    ConfigOption config = new ConfigOption();

    @Mixin
    JsonOption json = new JsonOption();

    @Parameters(index = "0", description = "A failed job id, or 'all'")
    String which;

    @Override
    public Integer call() {
      Long id;
      if ("all".equalsIgnoreCase(which)) {
        id = null;
      } else {
        try {
          id = Long.parseLong(which);
        } catch (NumberFormatException e) {
          System.err.println("calsync: expected a failed job id or 'all', got '" + which + "'");
          return 2;
        }
      }
      int n = Cli.withApp(config, new App.Parts(false, false, false), (rt, app) -> new JobQueue(app.pool()).retryFailed(id));
      if (!json.print(new JsonObject().put("requeued", n))) System.out.println("requeued " + n + " failed jobs");
      return id != null && n == 0 ? 1 : 0;
    }
  }
}
