package org.calsync.cli;

import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.audit.AuditLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Recomputes the audit hash chain. Exit 0 when intact, 1 when a record was modified, removed or reordered. */
@Command(name = "verify-audit", mixinStandardHelpOptions = true, description = "Check the audit log's hash chain.")
public final class VerifyAuditCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config = new ConfigOption();

  @Mixin
  JsonOption json = new JsonOption();

  @Override
  public Integer call() {
    AuditLog.Verification v = Cli.withApp(config, new App.Parts(false, false, false), (rt, app) -> new AuditLog(app.pool()).verify());
    if (json.print(new io.vertx.core.json.JsonObject().put("ok", v.ok()).put("checked", v.checked())
        .put("firstBrokenId", v.firstBrokenId()).put("problem", v.problem()))) {
      return v.ok() ? 0 : 1;
    }
    if (v.ok()) {
      System.out.println("audit log intact: " + v.checked() + " records verified");
      return 0;
    }
    System.out.println("audit log BROKEN at record " + v.firstBrokenId() + ": " + v.problem() + " (" + v.checked() + " records verified before it)");
    return 1;
  }
}
