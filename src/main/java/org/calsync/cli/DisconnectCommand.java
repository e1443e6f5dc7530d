package org.calsync.cli;

import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.bus.BusFailure;
import org.calsync.token.CredentialCipher;
import org.calsync.token.Disconnections;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * Disconnects an integration and erases our copy of its data (GDPR): revokes the grant at Google, erases
 * credentials, calendars, mirrored events and jobs, keeps an audit record (actor: the operating-system user). A failed
 * revoke is reported (exit 1) but does not stop the erasure.
 */
@Command(name = "disconnect", mixinStandardHelpOptions = true,
    description = "Revoke an integration's Google grant and erase its credentials and mirrored events (GDPR erasure).")
public final class DisconnectCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config = new ConfigOption();

  @Mixin
  JsonOption json = new JsonOption();

  @Parameters(index = "0", paramLabel = "INTEGRATION_ID", description = "The integration to disconnect")
  long integrationId;

  @Override
  public Integer call() {
    var cfg = Cli.config(config);
    CredentialCipher cipher = CredentialCipher.fromConfig(cfg.token());
    Disconnections.Result r;
    try {
      r = Cli.withApp(config, new App.Parts(false, false, false), (rt, app) ->
          new Disconnections(rt.vertx(), app.pool(), cipher, app.google()).disconnect(integrationId, Cli.actor()));
    } catch (BusFailure e) {
      System.err.println("calsync: " + e.getMessage());
      return 2;
    }
    if (json.print(r.toJson())) return r.revoke().startsWith("failed") ? 1 : 0;
    System.out.println("disconnected integration " + integrationId + ": revoke " + r.revoke() + ", erased "
        + r.calendars() + " calendars, " + r.events() + " events, " + r.jobs() + " jobs; " + r.channels() + " push channels stopped");
    return r.revoke().startsWith("failed") ? 1 : 0;
  }
}
