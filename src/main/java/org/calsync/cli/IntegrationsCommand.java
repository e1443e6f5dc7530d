package org.calsync.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.db.IntegrationDetails;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** integrations list [--status S] | integrations show &lt;id&gt;: who is connected, in which state, what failed. */
@Command(name = "integrations", mixinStandardHelpOptions = true, description = "List integrations or show one in full.",
    subcommands = {IntegrationsCommand.ListIntegrations.class, IntegrationsCommand.Show.class})
public final class IntegrationsCommand {

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "One line per integration: id, user, e-mail, status, calendars, last sync, last error class, failing since.")
  static final class ListIntegrations implements Callable<Integer> {
    @Mixin
    ConfigOption config = new ConfigOption();

    @Mixin
    JsonOption json = new JsonOption();

    @Option(names = "--status", paramLabel = "STATUS", description = "Only integrations in this status: active, needs_reconnect, paused, disconnected")
    String status;

    @Override
    public Integer call() {
      if (status != null && !IntegrationDetails.STATUSES.contains(status)) {
        System.err.println("calsync: --status must be one of " + String.join(", ", IntegrationDetails.STATUSES) + ", got '" + status + "'");
        return 2;
      }
      JsonArray list = Cli.withApp(config, new App.Parts(false, false, false), (rt, app) -> new IntegrationDetails(app.pool()).list(status));
      if (json.print(list)) return 0;
      Table t = new Table("id", "user", "e-mail", "status", "calendars", "last sync", "last error class", "failing since");
      for (Object o : list) {
        JsonObject i = (JsonObject) o;
        t.row(i.getLong("id"), i.getLong("userId"), i.getString("email"), i.getString("status"), i.getLong("calendars"),
            Times.local(i.getString("lastSyncAt")), i.getString("lastErrorClass"), Times.local(i.getString("failingSince")));
      }
      if (t.size() > 0) t.print(System.out);
      System.out.println(list.size() + " integrations" + (status == null ? "" : " " + status));
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "One integration: status, calendars (which count as busy, which receives appointments), push channels, pending writes, recent failures, audit tail.")
  static final class Show implements Callable<Integer> {
    @Mixin
    ConfigOption config = new ConfigOption();

    @Mixin
    JsonOption json = new JsonOption();

    @Parameters(index = "0", paramLabel = "INTEGRATION_ID", description = "The integration (see integrations list)")
    long id;

    @Override
    public Integer call() {
      JsonObject i = Cli.withApp(config, new App.Parts(false, false, false), (rt, app) -> new IntegrationDetails(app.pool()).show(id));
      if (i == null) {
        System.err.println("calsync: integration " + id + " does not exist (see integrations list)");
        return 2;
      }
      if (json.print(i)) return 0;
      Table head = new Table("", "");
      head.row("integration", i.getLong("id") + " (user " + i.getLong("userId") + ", " + i.getString("email") + ")");
      head.row("status", i.getString("status") + (i.getString("statusReason") == null ? "" : " (" + i.getString("statusReason") + ")")
          + " since " + Times.local(i.getString("statusChangedAt")));
      head.row("meaning", Statuses.meaning(i.getString("status")));
      head.row("last sync", i.getString("lastSyncAt") == null ? "never"
          : Times.local(i.getString("lastSyncAt")) + " (" + i.getString("lastSyncStatus") + ")");
      if (i.getString("failingSince") != null) {
        head.row("failing since", Times.local(i.getString("failingSince")) + " (" + i.getString("lastErrorClass") + ")");
      }
      if (i.getString("deferredUntil") != null) head.row("deferred until", Times.local(i.getString("deferredUntil")) + " (Google quota)");
      head.print(System.out);
      section("calendars (busy: synced and checked for conflicts; appointments: receives written appointments)",
          i.getJsonArray("calendarList"), new Table("id", "google calendar", "primary", "access", "busy", "appointments",
              "time zone", "events", "busy blocks ahead", "last sync", "next sync"),
          c -> new Object[] {c.getLong("id"), c.getString("googleId"), c.getBoolean("primary") ? "yes" : "no", c.getString("accessRole"),
              c.getBoolean("countsAsBusy") ? "yes" : "no", c.getBoolean("writeTarget") ? "yes" : "no", c.getString("timeZone"),
              c.getLong("events"), c.getLong("busyBlocksAhead"), Times.local(c.getString("lastSyncAt")),
              c.getBoolean("incremental") ? "incremental" : "full"});
      section("push channels", i.getJsonArray("channels"), new Table("channel", "calendar", "opened", "expires"),
          c -> new Object[] {c.getString("id"), c.getString("calendar"), Times.local(c.getString("openedAt")), Times.local(c.getString("expiresAt"))});
      section("pending appointment writes", i.getJsonArray("pendingWrites"),
          new Table("appointment", "status", "start", "version", "written", "attempts", "failed", "last error"),
          a -> new Object[] {a.getString("appointmentId"), a.getString("status"), Times.local(a.getString("start")), a.getLong("version"),
              a.getLong("writtenVersion"), a.getInteger("attempts"), Times.local(a.getString("failedAt")), a.getString("lastError")});
      section("recent failures", i.getJsonArray("recentFailures"), new Table("class", "times", "first", "last", "error"),
          f -> new Object[] {f.getString("errorClass"), f.getInteger("occurrences"), Times.local(f.getString("firstFailedAt")),
              Times.local(f.getString("lastFailedAt")), f.getString("error")});
      section("audit (newest first)", i.getJsonArray("auditTail"), new Table("at", "actor", "action", "detail"),
          a -> new Object[] {Times.local(a.getString("at")), a.getString("actor"), a.getString("action"), shorten(a.getString("detail"))});
      return 0;
    }

    private static String shorten(String s) {
      return s == null || s.length() <= 100 ? s : s.substring(0, 97) + "...";
    }

    private static void section(String title, JsonArray items, Table t, java.util.function.Function<JsonObject, Object[]> row) {
      System.out.println();
      System.out.println(title + ": " + (items.isEmpty() ? "none" : items.size()));
      if (items.isEmpty()) return;
      for (Object o : items) t.row(row.apply((JsonObject) o));
      t.print(System.out);
    }
  }
}
