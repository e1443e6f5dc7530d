package org.calsync.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.db.JobQueue;
import org.calsync.emulator.FaultProfile;
import org.calsync.emulator.SeededUser;
import org.calsync.scheduler.SchedulerTasks;
import org.calsync.support.Harness;
import org.calsync.support.TestDb;
import org.calsync.token.Connections;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./run.sh bench-freshness}: how long after an event is written in Google (the emulator, in this JVM) a conflict
 * check sees it, with push on: the emulator's web-hook delivery, the debounced push-priority job, the sync, the busy
 * blocks. Measured while background edits make about --rate notifications a second and a full scheduled cycle over
 * every integration runs. Each probe writes one event in a random calendar and repeats the conflict check over its
 * slot every 10 ms until the check reports it. Prints p50/p90/p99/max and the debounce used. Not a test.
 */
@Command(name = "bench-freshness", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Freshness with push on: from an event written in the emulator to a conflict check that sees it.")
public final class FreshnessBench implements java.util.concurrent.Callable<Integer> {
  @Option(names = "--quick", description = "500 integrations, 200 notifications/s, 40 probes")
  boolean quick;
  @Option(names = "--integrations", description = "Integrations with a push channel (default 10000; quick 500)")
  Integer integrations;
  @Option(names = "--rate", description = "Background notifications per second (default 1000; quick 200)")
  Integer rate;
  @Option(names = "--probes", description = "Events timed (default 200; quick 40)")
  Integer probes;
  @Option(names = "--parallel", description = "Probes in flight (default 4)")
  Integer parallel;
  @Option(names = "--debounce-ms", description = "push.debounceMs (default: the daemon's)")
  Long debounceMs;
  @Option(names = "--latency-ms", description = "Latency the emulator adds to each Calendar API request (default 100)")
  Long latencyMs;

  public static void main(String[] args) {
    System.exit(new CommandLine(new FreshnessBench()).execute(args));
  }

  private static <T> T or(T v, T dflt) {
    return v != null ? v : dflt;
  }

  @Override
  public Integer call() throws Exception {
    int n = or(integrations, quick ? 500 : 10_000);
    int perSecond = or(rate, quick ? 200 : 1000);
    int probeCount = or(probes, quick ? 40 : 200);
    int inFlight = or(parallel, 4);
    Harness h = new Harness();
    int port = Harness.freePort();
    JsonObject push = new JsonObject().put("enabled", true).put("webhookUrl", "http://127.0.0.1:" + port + "/webhooks/google")
        .put("listenPort", port);
    if (debounceMs != null) push.put("debounceMs", debounceMs);
    h.configure(new JsonObject().put("push", push)
        .put("sync", new JsonObject().put("maxConcurrent", 1024).put("projectRequestsPerMinute", 1_000_000).put("stagger", false))
        .put("google", new JsonObject().put("maxConnections", 1024))
        .put("db", new JsonObject().put("poolSize", 16)));
    h.start(new App.Parts(true, false, true));
    try {
      System.out.println(String.join("\n", Machine.describe()));
      long t0 = System.nanoTime();
      List<SeededUser> users = h.emulator.state().seed(n, 5);
      Connections c = new Connections(h.vertx, h.pool(), h.cipher);
      long[] integrationIds = new long[n];
      for (int i = 0; i < users.size(); i += 200) {
        List<Future<Long>> batch = new ArrayList<>();
        for (int j = i; j < Math.min(users.size(), i + 200); j++) batch.add(c.connect(j + 1, users.get(j).email(), users.get(j).refreshToken()));
        Future.all(batch).await();
        for (int j = 0; j < batch.size(); j++) integrationIds[i + j] = batch.get(j).result();
      }
      progress("seeded and connected %d integrations in %.1f s", n, (System.nanoTime() - t0) / 1e9);
      h.emulator.state().setFaults(FaultProfile.none().withLatency(or(latencyMs, 100L), 0));
      h.runCycle();
      Harness.await("a live push channel per calendar", 600,
          () -> h.count("SELECT count(*) FROM push_channels WHERE stopped_at IS NULL AND resource_id IS NOT NULL") >= n);
      progress("initial sync done, %d channels open", n);

      SplittableRandom rnd = new SplittableRandom(11);
      AtomicLong notified = new AtomicLong();
      long noiseTimer = h.vertx.setPeriodic(10, id -> {
        for (int k = 0; k < perSecond / 100; k++) {
          SeededUser u = users.get(rnd.nextInt(users.size()));
          h.emulator.state().insertEvent(u.email(), EmulatorHandle.newEvent("freshness noise", rnd.nextInt(500)));
          notified.incrementAndGet();
        }
      });
      int enqueued = new SchedulerTasks(h.vertx, h.config, h.pool()).dispatchCycle(null, 0, JobQueue.PRIORITY_SCHEDULED).await();
      progress("full cycle of %d integrations started; background edits at %d/s", enqueued, perSecond);

      long[] nanos = new long[probeCount];
      long[] writtenAt = new long[probeCount];
      long[] probeIntegration = new long[probeCount];
      StageTrace trace = new StageTrace(h.vertx);
      AtomicInteger next = new AtomicInteger();
      AtomicInteger timedOut = new AtomicInteger();
      AtomicInteger failedChecks = new AtomicInteger();
      Instant base = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(40, ChronoUnit.DAYS);
      long sentBefore = h.emulator.state().stats().notificationsSent();
      long millisBefore = h.emulator.state().stats().notificationMillis();
      long started = System.nanoTime();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < inFlight; t++) {
        Thread th = new Thread(() -> {
          SplittableRandom r = new SplittableRandom(Thread.currentThread().getId());
          int i;
          while ((i = next.getAndIncrement()) < probeCount) {
            int who = r.nextInt(users.size());
            Instant start = base.plus(i, ChronoUnit.HOURS);
            Instant end = start.plus(30, ChronoUnit.MINUTES);
            probeIntegration[i] = integrationIds[who];
            trace.watch(integrationIds[who]);
            writtenAt[i] = System.currentTimeMillis();
            long w = System.nanoTime();
            h.emulator.state().insertEvent(users.get(who).email(), new JsonObject().put("summary", "freshness probe")
                .put("start", new JsonObject().put("dateTime", start.toString()))
                .put("end", new JsonObject().put("dateTime", end.toString())));
            JsonObject check = new JsonObject().put("integrationId", integrationIds[who]).put("start", start.toString())
                .put("end", end.toString());
            long deadline = w + TimeUnit.SECONDS.toNanos(60);
            while (true) {
              JsonArray conflicts;
              try {
                conflicts = h.vertx.eventBus().<JsonObject>request(Addresses.BOOKING_CONFLICTS, check).await()
                    .body().getJsonArray("conflicts");
              } catch (RuntimeException e) {
                failedChecks.incrementAndGet(); // counted, and the probe goes on until its deadline
                conflicts = new JsonArray();
              }
              if (!conflicts.isEmpty()) {
                nanos[i] = System.nanoTime() - w;
                break;
              }
              if (System.nanoTime() > deadline) {
                nanos[i] = Long.MAX_VALUE;
                timedOut.incrementAndGet();
                break;
              }
              Harness.sleep(10);
            }
          }
        }, "freshness-probe-" + t);
        th.start();
        threads.add(th);
      }
      for (Thread th : threads) th.join();
      double secs = (System.nanoTime() - started) / 1e9;
      h.vertx.cancelTimer(noiseTimer);
      long cycleLeft = h.count("SELECT count(*) FROM jobs WHERE priority = 0");
      Arrays.sort(nanos);
      System.out.println();
      System.out.printf(Locale.ROOT, "freshness (push on, debounce %d ms, emulator latency %d ms): %d integrations, %.0f "
              + "background notifications/s, a full cycle of %d integrations running (%d of its jobs left at the end)%n",
          h.config.push().debounceMs(), or(latencyMs, 100L), n, notified.get() / secs, enqueued, cycleLeft);
      if (failedChecks.get() > 0) System.out.printf(Locale.ROOT, "  conflict checks that failed: %d%n", failedChecks.get());
      System.out.printf(Locale.ROOT, "  probes %d (%d in flight), timed out %d: p50 %.0f ms  p90 %.0f ms  p99 %.0f ms  max %.0f ms%n",
          probeCount, inFlight, timedOut.get(), ms(nanos, 0.5), ms(nanos, 0.9), ms(nanos, 0.99), ms(nanos, 1.0));
      System.out.println(trace.report(writtenAt, probeIntegration));
      long sent = h.emulator.state().stats().notificationsSent() - sentBefore;
      System.out.printf(Locale.ROOT, "  emulator: from a change to the webhook's answer %.0f ms on average over the %d "
          + "notifications sent while probing%n", sent == 0 ? 0.0 : (h.emulator.state().stats().notificationMillis()
          - millisBefore) / (double) sent, sent);
      double p99 = ms(nanos, 0.99);
      System.out.printf(Locale.ROOT, "  target p99 < 1000 ms (debounce included): %s%n", p99 < 1000 ? "met" : "NOT MET");
      return 0;
    } finally {
      h.close();
      String admin = h.dbUrl.substring(0, h.dbUrl.lastIndexOf('/') + 1) + "postgres";
      TestDb.exec(admin, "DROP DATABASE IF EXISTS " + h.dbUrl.substring(h.dbUrl.lastIndexOf('/') + 1) + " WITH (FORCE)");
    }
  }

  private static double ms(long[] sorted, double q) {
    long v = sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    return v == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : v / 1e6;
  }

  private static void progress(String fmt, Object... args) {
    System.out.printf(Locale.ROOT, "[freshness %tT] " + fmt + "%n", prepend(System.currentTimeMillis(), args));
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
