package org.calsync.cli;

import io.vertx.core.Future;
import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.bus.BusFailure;
import org.calsync.token.Pausing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * pause &lt;id&gt; (leave, locum: no sync, no write-back, nothing erased) and resume &lt;id&gt; (active again, a
 * catch-up sync from the stored sync tokens is queued), audited as the operating-system user ({@link Pausing}).
 */
public abstract class PauseCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config = new ConfigOption();

  @Mixin
  JsonOption json = new JsonOption();

  @Parameters(index = "0", paramLabel = "INTEGRATION_ID", description = "The integration (see integrations list)")
  long integrationId;

  abstract Future<Pausing.Result> change(Pausing pausing);

  abstract String describe(Pausing.Result r);

  @Override
  public Integer call() {
    Pausing.Result r;
    try {
      r = Cli.withApp(config, new App.Parts(false, false, false), (rt, app) -> change(new Pausing(rt.vertx(), app.pool(), Cli.actor())));
    } catch (BusFailure e) {
      System.err.println("calsync: " + e.getMessage());
      return 2;
    }
    if (!json.print(r.toJson())) System.out.println(describe(r));
    return 0;
  }

  @Command(name = "pause", mixinStandardHelpOptions = true,
      description = "Stop syncing an integration and writing its appointments to Google, keeping everything (undo: resume).")
  public static final class Pause extends PauseCommand {
    @Override
    Future<Pausing.Result> change(Pausing pausing) {
      return pausing.pause(integrationId);
    }

    @Override
    String describe(Pausing.Result r) {
      return r.changed() ? "paused integration " + integrationId + "; nothing is synced or written until: resume " + integrationId
          : "integration " + integrationId + " was already paused";
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Resume a paused integration; it catches up with an incremental sync and writes its waiting appointments.")
  public static final class Resume extends PauseCommand {
    @Override
    Future<Pausing.Result> change(Pausing pausing) {
      return pausing.resume(integrationId);
    }

    @Override
    String describe(Pausing.Result r) {
      return r.changed() ? "resumed integration " + integrationId + "; a catch-up sync is queued"
          : "integration " + integrationId + " is not paused (" + r.status() + "); nothing to do";
    }
  }
}
