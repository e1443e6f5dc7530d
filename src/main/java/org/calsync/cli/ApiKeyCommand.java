package org.calsync.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.api.ApiKeys;
import org.calsync.bus.Addresses;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** API keys of the EMR API: create (prints the key once; only its hash is stored), list, revoke. Changes are audited. */
@Command(name = "api-key", mixinStandardHelpOptions = true, description = "Create, list and revoke API keys of the EMR API.",
    subcommands = {ApiKeyCommand.Create.class, ApiKeyCommand.ListKeys.class, ApiKeyCommand.Revoke.class})
public final class ApiKeyCommand {

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a key and print it (shown only this once).")
  static final class Create implements Callable<Integer> {
    @Mixin
    ConfigOption config = new ConfigOption();

    @Option(names = "--name", required = true, description = "Who uses the key (e.g. emr)")
    String name;

    @Option(names = "--scope", required = true, description = "read (checks, states, notices) or write (also book, cancel, sync, disconnect)")
    String scope;

    @Override
    public Integer call() {
      ApiKeys.Created created;
      try {
        created = Cli.withApp(config, new App.Parts(false, false, false), (rt, app) -> new ApiKeys(app.pool()).create(name, scope)
            .onSuccess(c -> audit(rt.vertx(), "api_key.create", new JsonObject().put("keyId", c.id()).put("name", name).put("scope", scope))));
      } catch (IllegalArgumentException e) {
        System.err.println("calsync: " + e.getMessage());
        return 2;
      }
      System.out.println(created.key());
      System.err.println("api key " + created.id() + " (" + name + ", " + scope + ") created; store it now, it is not shown again");
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys (never the keys themselves).")
  static final class ListKeys implements Callable<Integer> {
    @Mixin
    ConfigOption config = new ConfigOption();

    @Mixin
    JsonOption json = new JsonOption();

    @Override
    public Integer call() {
      JsonArray keys = Cli.withApp(config, new App.Parts(false, false, false), (rt, app) -> new ApiKeys(app.pool()).list());
      if (json.print(keys)) return 0;
      Table t = new Table("id", "name", "scope", "created", "last used", "revoked");
      for (Object o : keys) {
        JsonObject k = (JsonObject) o;
        t.row(k.getLong("id"), k.getString("name"), k.getString("scope"), Times.local(k.getString("createdAt")),
            Times.local(k.getString("lastUsedAt")), Times.local(k.getString("revokedAt")));
      }
      if (t.size() > 0) t.print(System.out);
      System.out.println(keys.size() + " api keys");
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key; requests with it are refused from now on.")
  static final class Revoke implements Callable<Integer> {
    @Mixin
    ConfigOption config = new ConfigOption();

    @Parameters(index = "0", paramLabel = "KEY_ID", description = "The key's id (see api-key list)")
    long id;

    @Override
    public Integer call() {
      boolean revoked = Cli.withApp(config, new App.Parts(false, false, false), (rt, app) -> new ApiKeys(app.pool()).revoke(id)
          .onSuccess(r -> {
            if (r) audit(rt.vertx(), "api_key.revoke", new JsonObject().put("keyId", id));
          }));
      System.out.println(revoked ? "api key " + id + " revoked" : "api key " + id + " does not exist or was already revoked");
      return revoked ? 0 : 1;
    }
  }

  private static void audit(io.vertx.core.Vertx vertx, String action, JsonObject detail) {
    vertx.eventBus().send(Addresses.AUDIT_RECORD, new JsonObject().put("actor", Cli.actor()).put("action", action).put("detail", detail));
  }
}
