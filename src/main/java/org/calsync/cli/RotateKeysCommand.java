package org.calsync.cli;

import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.token.CredentialCipher;
import org.calsync.token.KeyRotation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Re-encrypts every stored credential under the active key (the first of token.keys) while the daemon keeps running.
 * Exit 0 when no row is left under another key, 1 otherwise (rows locked throughout, or sealed with a key that is not
 * configured: keep the old key configured and run again).
 */
@Command(name = "rotate-keys", mixinStandardHelpOptions = true,
    description = "Re-encrypt all credentials under the first key of token.keys (online; keep the old keys configured until it reports remaining 0).")
public final class RotateKeysCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config = new ConfigOption();

  @Mixin
  JsonOption json = new JsonOption();

  @Option(names = "--batch-size", defaultValue = "100", description = "Rows per transaction (default ${DEFAULT-VALUE})")
  int batchSize;

  @Override
  public Integer call() {
    CredentialCipher cipher = CredentialCipher.fromConfig(Cli.config(config).token());
    KeyRotation.Result r = Cli.withApp(config, new App.Parts(false, false, false),
        (rt, app) -> new KeyRotation(rt.vertx(), app.pool(), cipher, batchSize, Cli.actor()).run());
    if (json.print(r.toJson())) return r.remaining() > 0 ? 1 : 0;
    System.out.println("active key " + r.activeKeyId() + ": rotated " + r.rotated() + " from " + r.fromKeys()
        + ", unreadable " + r.unreadable() + ", remaining " + r.remaining());
    if (r.remaining() > 0) {
      System.out.println("some credentials are still under another key: keep the old keys configured and run rotate-keys again");
      return 1;
    }
    return 0;
  }
}
