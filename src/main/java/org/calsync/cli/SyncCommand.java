package org.calsync.cli;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.db.Integrations;
import org.calsync.db.JobQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Queues a manual sync of one integration and, unless --no-wait, runs a worker here, limited to that integration,
 * until it is settled or --timeout passes (the job then stays queued for the daemon).
 */
@Command(name = "sync", mixinStandardHelpOptions = true, description = "Sync one integration now (manual priority).")
public final class SyncCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config = new ConfigOption();

  @Mixin
  JsonOption json = new JsonOption();

  @Parameters(index = "0", description = "Integration id")
  long integrationId;

  @Option(names = "--allow-mass-delete", description = "Let this sync delete more than sync.maxDeleteShare of a calendar")
  boolean allowMassDelete;

  @Option(names = "--no-wait", description = "Only queue the job; the running daemon picks it up")
  boolean noWait;

  @Option(names = "--timeout", defaultValue = Waits.DEFAULT_TIMEOUT_SECONDS, paramLabel = "SECONDS",
      description = "Stop waiting after this many seconds; the job stays queued (default: ${DEFAULT-VALUE})")
  long timeoutSeconds;

  @Override
  public Integer call() {
    JsonObject result = Cli.withApp(config, new App.Parts(false, false, false), (rt, app) -> {
      OffsetDateTime started = OffsetDateTime.now();
      if (noWait) return enqueue(app.pool()).map(v -> new JsonObject().put("queued", true));
      return LocalWorkers.around(rt, Cli.config(config), app, List.of(integrationId), () -> enqueue(app.pool())
          .compose(v -> {
            rt.vertx().eventBus().publish(Addresses.JOBS_AVAILABLE, new JsonObject());
            return Waits.settled(rt.vertx(), app.pool(), List.of(integrationId), started, timeoutSeconds);
          })
          .map(list -> list.getJsonObject(0)));
    });
    boolean ok = "ok".equals(result.getString("lastSyncStatus")) && !result.getBoolean("timedOut", false);
    if (!json.print(result)) System.out.println(describe(integrationId, result, timeoutSeconds));
    return ok || result.containsKey("queued") ? 0 : 1;
  }

  /** One sentence for one integration's sync outcome (as Waits reports it). */
  static String describe(long id, JsonObject r, long timeoutSeconds) {
    if (r.containsKey("queued")) return "queued a sync of integration " + id + "; the daemon runs it";
    if (r.getBoolean("timedOut", false)) {
      return "integration " + id + " not synced within " + timeoutSeconds + " s; its job stays queued for the daemon";
    }
    String status = r.getString("lastSyncStatus");
    JsonObject res = r.getJsonObject("result");
    if ("ok".equals(status) && res != null) {
      return "integration " + id + " synced (" + (res.getBoolean("fullSync", false) ? "full" : "incremental") + "): "
          + res.getValue("upserted") + " events updated, " + res.getValue("deleted") + " deleted, "
          + res.getValue("calendars") + " calendars";
    }
    return "integration " + id + " " + (status == null ? "not synced" : status.replace('_', ' '))
        + (r.getString("error") == null ? "" : ": " + r.getString("error"));
  }

  /** Queues the manual job; a paused integration is refused (exit 1), one that does not exist is bad input (exit 2). */
  private Future<Void> enqueue(Pool pool) {
    return new JobQueue(pool).enqueueManual(integrationId, new JsonObject().put("allowMassDelete", allowMassDelete))
        .compose(enqueued -> enqueued ? Future.succeededFuture() : new Integrations(pool).status(integrationId).compose(status ->
            Future.failedFuture("paused".equals(status)
                ? new IllegalStateException("integration " + integrationId + " is paused: not synced; resume it first (resume "
                    + integrationId + ")")
                : new IllegalArgumentException("integration " + integrationId + " does not exist"))));
  }
}
