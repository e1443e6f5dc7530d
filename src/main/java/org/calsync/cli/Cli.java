package org.calsync.cli;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import java.util.concurrent.TimeUnit;
import org.calsync.App;
import org.calsync.VertxRuntime;
import org.calsync.config.CalsyncConfig;
import org.calsync.config.ConfigException;
import org.calsync.token.CredentialCipher;

/** Shared plumbing of the commands: load config, start the parts a command needs, wait, stop. */
final class Cli {
  private Cli() {
  }

  static CalsyncConfig config(ConfigOption option) {
    return CalsyncConfig.load(option.path(), System.getenv());
  }

  /** Runs body against a started App (with the given parts) and always shuts everything down. */
  static <T> T withApp(ConfigOption option, App.Parts parts, java.util.function.BiFunction<VertxRuntime, App, Future<T>> body) {
    CalsyncConfig config = config(option);
    CredentialCipher cipher = CredentialCipher.fromConfig(config.token());
    VertxRuntime rt = VertxRuntime.forCommand();
    try {
      App app = await(App.start(rt.vertx(), config, cipher, rt.registry(), parts));
      try {
        return await(body.apply(rt, app));
      } finally {
        await(app.close());
      }
    } finally {
      try {
        rt.vertx().close().await(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        System.err.println("calsync: shutdown took longer than 30 s");
      }
    }
  }

  /** Who runs the command, as recorded in the audit log: the operating-system user. */
  static String actor() {
    String user = System.getProperty("user.name");
    return user == null || user.isBlank() ? "cli" : user;
  }

  /** The exit code of a command that threw: 2 for bad configuration or input, 1 for anything else that failed. */
  static int exitCode(Throwable ex) {
    if (ex instanceof ConfigException || ex instanceof IllegalArgumentException) return 2;
    if (ex instanceof ReplyException re && (re.failureCode() == org.calsync.bus.FailureCode.BAD_REQUEST
        || re.failureCode() == org.calsync.bus.FailureCode.NOT_FOUND)) return 2;
    return 1;
  }

  static <T> T await(Future<T> f) {
    try {
      return f.await();
    } catch (Exception e) {
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
  }

  static String describe(Throwable ex) {
    if (ex instanceof ConfigException) return ex.getMessage();
    if (ex instanceof ReplyException re) return re.getMessage() + " (code " + re.failureCode() + ")";
    Throwable root = ex;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return root == ex ? msg : ex.getClass().getSimpleName() + ": " + msg;
  }
}
