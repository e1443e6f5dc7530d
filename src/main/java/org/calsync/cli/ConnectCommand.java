package org.calsync.cli;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.config.ConfigException;
import org.calsync.db.Integrations;
import org.calsync.google.ServiceAccountKey;
import org.calsync.token.Connections;
import org.calsync.token.CredentialCipher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Stores a Google refresh token for a user (new integration) or for an existing integration (reconnect). The token
 * is read from standard input or $CALSYNC_REFRESH_TOKEN, never from the command line (other users can see argv). With
 * --delegated no token is read: the integration uses Google Workspace domain-wide delegation.
 * With --from-file, connects or reconnects every practitioner of a file in this one process ({@link ConnectFile},
 * {@link BulkConnect}): a bad file changes nothing (exit 2); otherwise each line is reported, exit 1 if any failed.
 */
@Command(name = "connect", mixinStandardHelpOptions = true,
    description = {"Connect a user's Google account, or reconnect an integration; the refresh token is read from stdin.",
        "Many at once: --from-file FILE, CSV with a header (user_id,email,refresh_token) or JSON lines "
            + "({\"userId\":42,\"email\":\"dr@clinic.example\",\"refreshToken\":\"...\"}); re-running a file changes nothing."})
public final class ConnectCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config = new ConfigOption();

  @Mixin
  JsonOption json = new JsonOption();

  @Option(names = {"--user-id", "--user"}, description = "EMR user (practitioner) id, for a new integration")
  Long userId;

  @Option(names = "--delegated", description = "Google Workspace domain-wide delegation: no token on stdin; the service "
      + "account key of google.serviceAccountKeyFile impersonates --email")
  boolean delegated;

  @Option(names = "--email", description = "Google account email, for a new integration: recorded as given, not checked "
      + "(connect links take the account from Google's ID token)")
  String email;

  @Option(names = "--integration-id", description = "Reconnect this integration instead")
  Long integrationId;

  @Option(names = "--from-file", paramLabel = "FILE", description = "Connect or reconnect every practitioner in FILE (CSV or JSON lines)")
  Path fromFile;

  @Override
  public Integer call() throws Exception {
    if (fromFile != null) {
      if (userId != null || integrationId != null || email != null || delegated) {
        System.err.println("calsync: --from-file takes the user ids, e-mails and tokens from the file; drop --user-id, --email, "
            + "--integration-id, --delegated");
        return 2;
      }
      return fromFile();
    }
    if ((integrationId == null) == (userId == null)) {
      System.err.println("calsync: give either --user-id (new integration), --integration-id (reconnect) or --from-file FILE");
      return 2;
    }
    if (delegated) return delegated();
    String token = System.getenv("CALSYNC_REFRESH_TOKEN");
    if (token == null || token.isBlank()) {
      token = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
    String rt = token == null ? null : token.trim();
    CredentialCipher cipher = CredentialCipher.fromConfig(Cli.config(config).token());
    Long id = Cli.withApp(config, new App.Parts(false, false, false), (r, app) -> {
      Connections c = new Connections(r.vertx(), app.pool(), cipher, Cli.actor());
      return integrationId != null ? c.reconnect(integrationId, rt).map(v -> integrationId) : c.connect(userId, email, rt);
    });
    String outcome = integrationId != null ? "reconnected" : "connected";
    if (!json.print(new io.vertx.core.json.JsonObject().put("integrationId", id).put("outcome", outcome))) {
      System.out.println(outcome + " integration " + id);
    }
    return 0;
  }

  private int delegated() {
    if (userId != null && (email == null || email.isBlank())) {
      System.err.println("calsync: --delegated --user-id needs --email (the practitioner's Workspace address to impersonate)");
      return 2;
    }
    CredentialCipher cipher = CredentialCipher.fromConfig(Cli.config(config).token());
    Long id = Cli.withApp(config, new App.Parts(false, false, false), (r, app) -> {
      if (app.google().serviceAccount() == null) {
        return Future.failedFuture(new ConfigException(ServiceAccountKey.CONFIG_KEY, "is not set: delegated integrations need "
            + "the service account's key", "set it to the path of the service account's JSON key file"));
      }
      Connections c = new Connections(r.vertx(), app.pool(), cipher, Cli.actor());
      return integrationId != null ? c.reconnectDelegated(integrationId).map(v -> integrationId) : c.connectDelegated(userId, email);
    });
    String outcome = integrationId != null ? "reconnected" : "connected";
    if (!json.print(new io.vertx.core.json.JsonObject().put("integrationId", id).put("outcome", outcome).put("delegated", true))) {
      System.out.println(outcome + " delegated integration " + id);
    }
    return 0;
  }

  private int fromFile() {
    List<ConnectFile.Entry> entries;
    try {
      entries = ConnectFile.read(fromFile);
    } catch (ConnectFile.BadFile e) {
      System.err.println("calsync: " + e.getMessage() + "; nothing was changed");
      return 2;
    }
    CredentialCipher cipher = CredentialCipher.fromConfig(Cli.config(config).token());
    List<BulkConnect.Outcome> outcomes = Cli.withApp(config, new App.Parts(false, false, false), (r, app) ->
        new BulkConnect(new Connections(r.vertx(), app.pool(), cipher, Cli.actor()), new Integrations(app.pool())).run(entries));
    JsonObject report = BulkConnect.toJson(outcomes);
    int exit = report.getJsonObject("counts").getInteger("error") > 0 ? 1 : 0;
    if (json.print(report)) return exit;
    Table t = new Table("line", "user", "e-mail", "outcome", "integration", "reason");
    for (BulkConnect.Outcome o : outcomes) {
      t.row(o.entry().line(), o.entry().userId(), o.entry().email(), o.outcome(), o.integrationId(), o.reason());
    }
    t.print(System.out);
    JsonObject c = report.getJsonObject("counts");
    System.out.println(outcomes.size() + " lines: " + c.getValue("connected") + " connected, " + c.getValue("reconnected")
        + " reconnected, " + c.getValue("unchanged") + " unchanged, " + c.getValue("error") + " errors");
    return exit;
  }
}
