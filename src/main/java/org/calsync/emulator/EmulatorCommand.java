package org.calsync.emulator;

import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code emulator}: runs the local Google Calendar + OAuth emulator until the JVM is stopped. */
@Command(name = "emulator", mixinStandardHelpOptions = true,
  description = "Run the local Google Calendar API v3 + OAuth emulator (development, tests, benchmarks).")
public final class EmulatorCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "8089", description = "TCP port (0 = any free port). Default: ${DEFAULT-VALUE}")
  int port;
  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Interface to bind. Default: ${DEFAULT-VALUE}")
  String host;
  @Option(names = "--seed", defaultValue = "42", description = "Random seed. Default: ${DEFAULT-VALUE}")
  long seed;
  @Option(names = "--users", defaultValue = "0", description = "Users to seed (user<i>@clinic.test). Default: ${DEFAULT-VALUE}")
  int users;
  @Option(names = "--events-per-user", defaultValue = "5", description = "Events per seeded user. Default: ${DEFAULT-VALUE}")
  int eventsPerUser;
  @Option(names = "--client-id", defaultValue = "calsync-local", description = "Accepted OAuth client id. Default: ${DEFAULT-VALUE}")
  String clientId;
  @Option(names = "--client-secret", defaultValue = "calsync-local-secret", description = "Accepted OAuth client secret.")
  String clientSecret;
  @Option(names = "--mutations-per-second", defaultValue = "0", description = "Random event edits per second. Default: ${DEFAULT-VALUE}")
  double mutationsPerSecond;
  @Option(names = "--print-tokens", defaultValue = "3", description = "How many seeded refresh tokens to print. Default: ${DEFAULT-VALUE}")
  int printTokens;

  /** Stops a running {@link #call()} (tests). */
  final CountDownLatch stopped = new CountDownLatch(1);
  volatile GoogleEmulator emulator;
  private PrintStream out = System.out;

  EmulatorCommand output(PrintStream out) {
    this.out = out;
    return this;
  }

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    EmulatorOptions options = EmulatorOptions.defaults().withHost(host).withPort(port).withSeed(seed)
      .withClient(clientId, clientSecret);
    GoogleEmulator emu;
    try {
      emu = GoogleEmulator.start(vertx, options).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      out.println("emulator failed to start: " + e.getMessage());
      return 1;
    }
    emulator = emu;
    long t0 = System.nanoTime();
    List<SeededUser> seeded = users > 0 ? emu.state().seed(users, eventsPerUser) : List.of();
    String base = emu.baseUrl();
    out.println("Google emulator listening on " + base);
    out.println("  Calendar API : " + base + "/calendar/v3/");
    out.println("  OAuth        : POST " + base + "/token , POST " + base + "/revoke , GET " + base + "/o/oauth2/v2/auth , GET "
      + base + "/oauth2/v3/certs");
    out.println("  OAuth client : " + clientId + " / " + clientSecret);
    out.println("  Admin API    : " + base + "/admin/ (users, refresh-tokens, consent, access-tokens/expire, calendars/{id}/events,");
    out.println("                 calendars/{id}/invalidate-sync-tokens, faults, stats, mutations)");
    if (users > 0) {
      out.printf("  Seeded %d users x %d events in %d ms%n", users, eventsPerUser, (System.nanoTime() - t0) / 1_000_000);
      for (int i = 0; i < Math.min(printTokens, seeded.size()); i++) {
        out.println("    " + seeded.get(i).email() + "  refresh_token=" + seeded.get(i).refreshToken());
      }
    }
    if (mutationsPerSecond > 0) {
      emu.state().mutationDriver().start(mutationsPerSecond);
      out.println("  Mutation driver: " + mutationsPerSecond + " changes/s");
    }
    out.flush();
    Thread hook = new Thread(() -> {
      try {
        emu.close().await(5, TimeUnit.SECONDS);
        vertx.close().await(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // shutting down anyway
      }
    }, "emulator-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    stopped.await();
    Runtime.getRuntime().removeShutdownHook(hook);
    emu.close().await(5, TimeUnit.SECONDS);
    vertx.close().await(5, TimeUnit.SECONDS);
    return 0;
  }
}
