package org.calsync.cli;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.io.File;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.calsync.config.CalsyncConfig;
import org.calsync.config.ConfigException;
import org.calsync.db.Db;
import org.calsync.token.CredentialCipher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Checks what a first start needs, changing nothing: config keys, PostgreSQL reachable and migrated, encryption keys
 * able to open a stored credential, the Google token endpoint reachable (and the OAuth client accepted), the clock
 * within a second of the database's, the push webhook URL https and reachable (when push is enabled), free disk.
 * One line per check; exit 1 with the list of problems and how to fix each, 0 when all are OK.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = "Check config, database, keys, Google, clock, webhook and disk before a first start; says how to fix what is wrong.")
public final class DoctorCommand implements Callable<Integer> {
  /** Less free space than this where logs are written is a problem. */
  static final long MIN_FREE_BYTES = 1L << 30;

  @Mixin
  ConfigOption config = new ConfigOption();

  @Mixin
  JsonOption json = new JsonOption();

  /** One check's result; fix is null when ok. */
  record Check(String name, boolean ok, String detail, String fix) {
    JsonObject toJson() {
      return new JsonObject().put("check", name).put("ok", ok).put("detail", detail).put("fix", fix);
    }
  }

  private final List<Check> checks = new ArrayList<>();

  private void ok(String name, String detail) {
    checks.add(new Check(name, true, detail, null));
  }

  private void problem(String name, String detail, String fix) {
    checks.add(new Check(name, false, detail, fix));
  }

  @Override
  public Integer call() {
    CalsyncConfig cfg = null;
    try {
      cfg = Cli.config(config);
      ok("config", config.path() + " and CALSYNC_* variables are valid");
    } catch (ConfigException e) {
      problem("config", e.getMessage(), "correct the key named above in " + config.path() + " or its CALSYNC_* variable");
    }
    if (cfg != null) checkWith(cfg);
    disk();
    return report();
  }

  private void checkWith(CalsyncConfig cfg) {
    CredentialCipher cipher = null;
    try {
      cipher = CredentialCipher.fromConfig(cfg.token());
      ok("keys", "token.keys configured (active key " + cipher.activeKeyId() + ")");
    } catch (RuntimeException e) {
      problem("keys", Cli.describe(e), "set CALSYNC_TOKEN_KEYS=k1:<base64 of 32 random bytes> (head -c32 /dev/urandom | base64); "
          + "keep a backup: without the key every practitioner must reconnect");
    }
    Vertx vertx = Vertx.vertx();
    Pool pool = Db.pool(vertx, cfg.db());
    try {
      boolean db = database(vertx, pool, cfg);
      if (db && cipher != null) credential(pool, cipher);
      google(vertx, cfg);
      if (cfg.push().enabled()) webhook(vertx, cfg);
    } finally {
      pool.close();
      try {
        vertx.close().await(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // shutting down
      }
    }
  }

  private boolean database(Vertx vertx, Pool pool, CalsyncConfig cfg) {
    String where = Db.connectOptions(cfg.db()).getHost() + ":" + Db.connectOptions(cfg.db()).getPort() + "/"
        + Db.connectOptions(cfg.db()).getDatabase();
    RowSet<Row> rs;
    long before = System.currentTimeMillis();
    try {
      rs = pool.query("SELECT now()").execute().await(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      problem("database", "PostgreSQL at " + where + " does not answer: " + Cli.describe(e),
          "start PostgreSQL, check db.url and CALSYNC_DB_PASSWORD, and that this host may connect (pg_hba.conf)");
      return false;
    }
    long after = System.currentTimeMillis();
    ok("database", "PostgreSQL at " + where + " answers");
    long skew = Math.abs(rs.iterator().next().getOffsetDateTime(0).toInstant().toEpochMilli() - (before + after) / 2);
    if (skew > 1000 + (after - before) / 2) {
      problem("clock", "this host's clock is " + skew + " ms away from the database's", "synchronise both clocks (NTP: timedatectl set-ntp true)");
    } else {
      ok("clock", "within " + skew + " ms of the database's");
    }
    try {
      int pending = Db.pendingMigrations(vertx, cfg.db()).await(60, TimeUnit.SECONDS);
      if (pending == 0) ok("migrations", "schema up to date");
      else ok("migrations", pending + " migrations pending; the daemon applies them when it starts (./run.sh)");
    } catch (Exception e) {
      problem("migrations", "cannot read the schema history: " + Cli.describe(e),
          "run the daemon once as a role that may create tables in the database (schema migrations run at start)");
    }
    return true;
  }

  private void credential(Pool pool, CredentialCipher cipher) {
    try {
      RowSet<Row> rs = pool.query("SELECT id, key_id, credentials FROM user_integrations WHERE credentials IS NOT NULL "
          + "ORDER BY id DESC LIMIT 1").execute().await(15, TimeUnit.SECONDS);
      if (rs.size() == 0) {
        ok("credentials", "no stored credential yet");
        return;
      }
      Row r = rs.iterator().next();
      cipher.open(r.getLong(0), r.getString(1), r.getBuffer(2).getBytes());
      ok("credentials", "the newest stored credential (integration " + r.getLong(0) + ", key " + r.getString(1) + ") opens");
    } catch (IllegalStateException e) {
      problem("credentials", e.getMessage(), "configure the key it names in token.keys (restore it from your key backup); "
          + "without it those practitioners must reconnect");
    } catch (Exception e) {
      problem("credentials", "cannot read stored credentials: " + Cli.describe(e), "run the daemon once so the schema exists");
    }
  }

  /** A refresh with a made-up token: invalid_grant means Google answered and accepted the client. */
  private void google(Vertx vertx, CalsyncConfig cfg) {
    String url = cfg.google().tokenUrl();
    WebClient web = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(10_000));
    try {
      io.vertx.core.MultiMap form = io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("grant_type", "refresh_token")
          .add("refresh_token", "calsync-doctor-check").add("client_id", cfg.google().clientId())
          .add("client_secret", cfg.google().clientSecret() == null ? "" : cfg.google().clientSecret());
      HttpResponse<Buffer> resp = web.postAbs(url).timeout(15_000).sendForm(form).await(20, TimeUnit.SECONDS);
      String error = "";
      try {
        error = resp.bodyAsJsonObject().getString("error", "");
      } catch (RuntimeException notJson) {
        // reported below by status
      }
      if (error.equals("invalid_client") || error.equals("unauthorized_client")) {
        problem("google", "the token endpoint " + url + " refuses the OAuth client (" + error + ")",
            "check google.clientId and CALSYNC_GOOGLE_CLIENT_SECRET against the Google Cloud console");
      } else if (resp.statusCode() >= 500) {
        problem("google", "the token endpoint " + url + " answers " + resp.statusCode(), "retry later; check google.tokenUrl");
      } else {
        ok("google", "the token endpoint " + url + " answers and accepts the OAuth client");
      }
    } catch (Exception e) {
      problem("google", "the token endpoint " + url + " is not reachable: " + Cli.describe(e),
          "allow outbound HTTPS to " + url + " (firewall, proxy, DNS); check google.tokenUrl");
    } finally {
      web.close();
    }
  }

  private void webhook(Vertx vertx, CalsyncConfig cfg) {
    String url = cfg.push().webhookUrl();
    if (url == null || !url.startsWith("https://")) {
      problem("webhook", "push.webhookUrl '" + url + "' is not https", "Google only calls https URLs: put the webhook behind TLS "
          + "(push.tlsCertFile/push.tlsKeyFile or a reverse proxy) and set push.webhookUrl to its https URL, or set push.enabled false");
      return;
    }
    WebClient web = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(10_000));
    try {
      int status = web.postAbs(url).timeout(15_000).sendBuffer(Buffer.buffer()).await(20, TimeUnit.SECONDS).statusCode();
      ok("webhook", url + " is reachable from here (answered " + status + ")");
    } catch (Exception e) {
      problem("webhook", url + " is not reachable from here: " + Cli.describe(e), "start the daemon (./run.sh) and check DNS, the "
          + "certificate (a public CA; Google refuses self-signed) and that the proxy forwards to push.listenHost:push.listenPort");
    } finally {
      web.close();
    }
  }

  private void disk() {
    File dir = new File(".").getAbsoluteFile();
    long free = dir.getUsableSpace();
    if (free < MIN_FREE_BYTES) {
      problem("disk", (free >> 20) + " MiB free at " + dir.getParent(), "free disk space or rotate logs (journalctl --vacuum-size)");
    } else {
      ok("disk", (free >> 30) + " GiB free at " + dir.getParent());
    }
  }

  private int report() {
    long problems = checks.stream().filter(c -> !c.ok()).count();
    JsonArray all = new JsonArray();
    checks.forEach(c -> all.add(c.toJson()));
    if (json.print(new JsonObject().put("ok", problems == 0).put("checks", all).put("at", Instant.now().toString()))) {
      return problems == 0 ? 0 : 1;
    }
    Table t = new Table("", "", "");
    for (Check c : checks) {
      t.row(c.ok() ? "OK" : "PROBLEM", c.name(), c.detail() + (c.ok() ? "" : "; fix: " + c.fix()));
    }
    t.print(System.out);
    System.out.println(problems == 0 ? "all checks passed" : problems + (problems == 1 ? " problem" : " problems") + " found");
    return problems == 0 ? 0 : 1;
  }
}
