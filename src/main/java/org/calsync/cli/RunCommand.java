package org.calsync.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import org.calsync.App;
import org.calsync.VertxRuntime;
import org.calsync.config.CalsyncConfig;
import org.calsync.token.CredentialCipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The daemon. SIGTERM/SIGINT: workers stop claiming, finish or release in-flight jobs (bounded), then exit. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the sync daemon (the default command).")
public final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

  @Mixin
  ConfigOption config = new ConfigOption();

  @Override
  public Integer call() {
    CalsyncConfig cfg = Cli.config(config);
    CredentialCipher cipher = CredentialCipher.fromConfig(cfg.token());
    VertxRuntime rt = VertxRuntime.create();
    App app;
    try {
      app = Cli.await(App.start(rt.vertx(), cfg, cipher, rt.registry(), App.Parts.ALL));
    } catch (RuntimeException e) {
      rt.vertx().close();
      throw e;
    }
    log.atInfo().setMessage("calsync started").addKeyValue("httpHost", cfg.http().host()).addKeyValue("httpPort", app.httpPort())
        .addKeyValue("intervalMinutes", cfg.sync().intervalMinutes()).addKeyValue("maxConcurrent", cfg.sync().maxConcurrent()).log();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("calsync stopping");
      try {
        app.close().await(25, TimeUnit.SECONDS);
        rt.vertx().close().await(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.atWarn().setMessage("shutdown did not complete cleanly").addKeyValue("error", e.toString()).log();
      }
      log.info("calsync stopped");
      stopped.countDown();
    }, "calsync-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
