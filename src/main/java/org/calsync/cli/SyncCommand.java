package org.calsync.cli;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.db.JobQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Queues a manual sync of one integration and, unless --no-wait, runs a worker here until it is settled. */
@Command(name = "sync", mixinStandardHelpOptions = true, description = "Sync one integration now (manual priority).")
public final class SyncCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config = new ConfigOption();

  @Parameters(index = "0", description = "Integration id")
  long integrationId;

  @Option(names = "--allow-mass-delete", description = "Let this sync delete more than sync.maxDeleteShare of a calendar")
  boolean allowMassDelete;

  @Option(names = "--no-wait", description = "Only queue the job; the running daemon picks it up")
  boolean noWait;

  @Override
  public Integer call() {
    JsonObject result = Cli.withApp(config, new App.Parts(!noWait, false, false), (rt, app) -> {
      OffsetDateTime started = OffsetDateTime.now();
      return app.pool().preparedQuery("INSERT INTO jobs (integration_id, kind, priority, payload) "
              + "SELECT id, 'sync', $2, $3 FROM user_integrations WHERE id = $1 "
              + "ON CONFLICT (integration_id, kind) DO UPDATE SET priority = EXCLUDED.priority, payload = EXCLUDED.payload, "
              + "available_at = LEAST(jobs.available_at, now()), rerun = jobs.rerun OR COALESCE(jobs.locked_until > now(), false) RETURNING id")
          .execute(Tuple.of(integrationId, JobQueue.PRIORITY_MANUAL, new JsonObject().put("allowMassDelete", allowMassDelete)))
          .compose(rs -> {
            if (rs.size() == 0) return Future.failedFuture(new IllegalArgumentException("integration " + integrationId + " does not exist"));
            rt.vertx().eventBus().publish(org.calsync.bus.Addresses.JOBS_AVAILABLE, new JsonObject());
            return noWait ? Future.succeededFuture(new JsonObject().put("queued", true))
                : Waits.settled(rt.vertx(), app.pool(), java.util.List.of(integrationId), started).map(list -> list.getJsonObject(0));
          });
    });
    System.out.println(result.encodePrettily());
    return "ok".equals(result.getString("lastSyncStatus")) || result.containsKey("queued") ? 0 : 1;
  }
}
