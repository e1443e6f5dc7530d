package org.calsync.cli;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.db.Integrations;
import org.calsync.db.JobQueue;
import org.calsync.db.Notices;
import org.calsync.mirror.BusyBlocks;
import org.calsync.mirror.SkippedEvents;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Prints a summary for people, or with --json one document:  integrations by status; authKinds, the integrations not
 * disconnected by how they get tokens (oauth, delegated); queue (depth, due, running, failed, oldestDueSeconds);
 * oldestSyncAgeSeconds (see Integrations#oldestSyncAgeSeconds); failing, the active integrations whose syncs keep
 * failing (see Integrations#failing); skippedEvents, events a sync could not map (count and the latest); lastCycle, the last automatic cycle: startedAt,
 * enqueued, and synced/failed = integrations whose latest sync since it started succeeded/failed (null before the
 * first cycle); scheduler, every task's last run and detail; busyQuarantine, recurring events busy over their whole
 * span because they exceed the expansion caps (see BusyBlocks#quarantined). Exit 1 when integrations need a reconnect
 * or keep failing (someone should look), else 0.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show integrations by state, the last sync cycle, queue depth and the oldest sync's age.")
public final class StatusCommand implements Callable<Integer> {
  /** failing integrations and skipped events listed at most. */
  private static final int LISTED = 20;

  @Mixin
  ConfigOption config = new ConfigOption();

  @Mixin
  JsonOption json = new JsonOption();

  @Override
  public Integer call() {
    JsonObject status = Cli.withApp(config, new App.Parts(false, false, false), (rt, app) -> collect(app.pool()));
    long reconnect = status.getJsonObject("integrations").getLong("needs_reconnect", 0L);
    long failing = status.getJsonObject("failing").getLong("count");
    if (!json.print(status)) print(status, reconnect, failing);
    return reconnect > 0 || failing > 0 ? 1 : 0;
  }

  private static void print(JsonObject s, long reconnect, long failing) {
    JsonObject counts = s.getJsonObject("integrations");
    JsonObject q = s.getJsonObject("queue");
    Table t = new Table("", "");
    t.row("integrations", counts.isEmpty() ? "none" : String.join(", ", counts.fieldNames().stream().sorted()
        .map(k -> counts.getValue(k) + " " + k).toList()));
    JsonObject kinds = s.getJsonObject("authKinds");
    if (!kinds.isEmpty()) {
      t.row("auth kinds", String.join(", ", kinds.fieldNames().stream().sorted().map(k -> kinds.getValue(k) + " " + k).toList()));
    }
    t.row("queue", q.getValue("depth") + " jobs (" + q.getValue("due") + " due, " + q.getValue("running") + " running, oldest due "
        + Times.age(q.getDouble("oldestDueSeconds")) + "), " + q.getValue("failed") + " failed");
    t.row("oldest sync", Times.age(s.getDouble("oldestSyncAgeSeconds")) + " ago");
    JsonObject cycle = s.getJsonObject("lastCycle");
    t.row("last cycle", cycle == null ? "none yet" : "started " + Times.local(cycle.getString("startedAt")) + ": "
        + cycle.getValue("enqueued") + " queued, " + cycle.getValue("synced") + " synced, " + cycle.getValue("failed") + " failed");
    JsonObject tasks = s.getJsonObject("scheduler");
    for (String task : tasks.fieldNames().stream().sorted().toList()) {
      t.row("scheduler " + task, "last ran " + Times.local(tasks.getJsonObject(task).getString("lastRunAt")));
    }
    t.row("skipped events", s.getJsonObject("skippedEvents").getValue("count") + " (events that could not be read; last good copy kept)");
    t.row("quarantined", s.getJsonObject("busyQuarantine").getValue("events")
        + " recurring events too dense to expand (busy over their whole span)");
    t.print(System.out);
    if (failing > 0) {
      System.out.println();
      System.out.println("integrations that keep failing:");
      Table f = new Table("integration", "auth", "since", "class", "times", "error");
      for (Object o : s.getJsonObject("failing").getJsonArray("integrations")) {
        JsonObject i = (JsonObject) o;
        f.row(i.getLong("integrationId"), i.getString("authKind"), Times.local(i.getString("failingSince")), i.getString("errorClass"),
            i.getValue("occurrences"), i.getString("error"));
      }
      f.print(System.out);
    }
    if (reconnect > 0 || failing > 0) {
      System.out.println();
      System.out.println("needs attention: " + reconnect + " integrations need a reconnect, " + failing
          + " keep failing (integrations list --status needs_reconnect; failed list)");
    } else {
      System.out.println("all integrations OK");
    }
  }

  static Future<JsonObject> collect(Pool pool) {
    Integrations integrations = new Integrations(pool);
    JsonObject out = new JsonObject();
    return integrations.countsByStatus().map(counts -> out.put("integrations", counts))
        .compose(v -> integrations.countsByAuthKind()).map(kinds -> out.put("authKinds", kinds))
        .compose(v -> new JobQueue(pool).stats()).map(queue -> out.put("queue", queue))
        .compose(v -> integrations.oldestSyncAgeSeconds()).map(age -> out.put("oldestSyncAgeSeconds", age))
        .compose(v -> integrations.failing(LISTED)).map(failing -> out.put("failing", failing))
        .compose(v -> SkippedEvents.summary(pool, LISTED)).map(skipped -> out.put("skippedEvents", skipped))
        .compose(v -> BusyBlocks.quarantined(pool)).map(q -> out.put("busyQuarantine", q))
        .compose(v -> Notices.stats(pool, LISTED)).map(n -> out.put("notices", n))
        .compose(v -> pool.query("SELECT task, last_run_at, detail FROM scheduler_runs ORDER BY task").execute())
        .compose(rs -> {
          JsonObject tasks = new JsonObject();
          JsonObject cycle = null;
          for (Row r : rs) {
            JsonObject detail = r.getValue(2) instanceof JsonObject d ? d : new JsonObject();
            tasks.put(r.getString(0), new JsonObject().put("lastRunAt", r.getOffsetDateTime(1).toString()).put("detail", detail));
            if ("auto_sync".equals(r.getString(0)) && detail.containsKey("enqueued")) {
              cycle = new JsonObject().put("startedAt", detail.getString("startedAt", r.getOffsetDateTime(1).toString()))
                  .put("enqueued", detail.getValue("enqueued"));
            }
          }
          out.put("scheduler", tasks).put("lastCycle", cycle);
          if (cycle == null) return Future.succeededFuture(out);
          JsonObject last = cycle;
          return integrations.outcomesSince(OffsetDateTime.parse(last.getString("startedAt")))
              .map(outcomes -> {
                last.mergeIn(outcomes);
                return out;
              });
        });
  }
}
