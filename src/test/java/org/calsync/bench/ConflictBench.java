package org.calsync.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.support.Harness;
import org.calsync.support.TestDb;

/**
 * Conflict-check latency with a large busy mirror (not a test). Fills a fresh database with busy blocks (default
 * 2,000 calendars x 500 blocks = 1,000,000, spread over the next 180 days, generated server-side in one INSERT ...
 * SELECT), then sends conflict checks for random practitioners and random 30-60 minute slots through the event bus to
 * the real BookingVerticle (one at a time, after a warm-up), and again with 32 in flight, sent from one Vert.x context
 * in rounds of that many. Prints p50/p90/p99/max and the CPU per check of this JVM (the daemon's side and the bench's
 * client) and of the bench database's PostgreSQL backends.
 *
 * <p>Run from the repository root (PostgreSQL from $CALSYNC_TEST_PG, default postgresql://postgres@127.0.0.1:5432/postgres,
 * or an embedded one):
 * <pre>
 *   mvn -q -o -B test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 *   java -Xmx1g -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.calsync.bench.ConflictBench \
 *       [calendars=2000] [blocksPerCalendar=500] [checks=10000]
 * </pre>
 * The database is dropped at the end.
 */
public final class ConflictBench {
  private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private ConflictBench() {
  }

  public static void main(String[] args) throws Exception {
    int calendars = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int perCalendar = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int checks = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
    Machine.describe().forEach(System.out::println);
    Harness h = new Harness();
    // no sweep during the run: the blocks are synthetic (no mirror rows behind them)
    h.config = h.config(new JsonObject().put("booking", new JsonObject().put("sweepSeconds", 3600))
        .put("db", new JsonObject().put("poolSize", 8)));
    h.start(new App.Parts(true, false, false));
    try {
      long t0 = System.nanoTime();
      fill(h.dbUrl, calendars, perCalendar);
      long blocks = h.count("SELECT count(*) FROM busy_blocks");
      System.out.printf("filled %,d busy blocks over %,d calendars in %.1f s%n", blocks, calendars, (System.nanoTime() - t0) / 1e9);

      // the database's own time for one check's lookups (the shape of CheckBatch's statement for one check), without bus
      for (var r : h.query("EXPLAIN (ANALYZE) WITH cal AS MATERIALIZED (SELECT u.id AS integration_id, c.id AS calendar_id "
          + "FROM user_integrations u LEFT JOIN calendars c ON c.integration_id = u.id WHERE u.id = 1234) "
          + "SELECT b.start_at FROM cal JOIN busy_blocks b ON b.calendar_id = cal.calendar_id "
          + "AND b.start_at < now() + interval '30 days 1 hour' AND b.start_at > now() + interval '29 days' "
          + "AND b.end_at > now() + interval '30 days'")) {
        String line = r.getString(0);
        if (line.contains("Index") || line.contains("Execution Time")) System.out.println("  plan: " + line.trim());
      }
      SplittableRandom rnd = new SplittableRandom(7);
      Instant base = Instant.now().truncatedTo(ChronoUnit.HOURS);
      measure(h, rnd, base, calendars, 2_000, 1, "warm-up");
      measure(h, rnd, base, calendars, checks, 1, "sequential");
      measure(h, rnd, base, calendars, checks, 32, "32 in flight");
    } finally {
      h.close();
      String admin = h.dbUrl.substring(0, h.dbUrl.lastIndexOf('/') + 1) + "postgres";
      TestDb.exec(admin, "DROP DATABASE IF EXISTS " + h.dbUrl.substring(h.dbUrl.lastIndexOf('/') + 1) + " WITH (FORCE)");
    }
  }

  static void fill(String url, int calendars, int perCalendar) {
    TestDb.exec(url, "INSERT INTO user_integrations (user_id, account_email) "
        + "SELECT g, 'bench' || g || '@clinic.test' FROM generate_series(1, " + calendars + ") g");
    // expanded as a full rebuild leaves them: busy_blocks cover the next horizonDays (checks inside read busy_blocks only)
    TestDb.exec(url, "INSERT INTO calendars (integration_id, google_calendar_id, time_zone, is_primary, sync_token, last_sync_at, "
        + "busy_expanded_at, busy_until) SELECT id, account_email, 'America/Toronto', true, 'bench', now(), now(), "
        + "now() + interval '183 days' FROM user_integrations");
    // blocks start on 15-minute steps within 180 days, last 15..120 minutes; about 2.8 per calendar and day
    TestDb.exec(url, "INSERT INTO busy_blocks (calendar_id, root_id, event_id, start_at, end_at) "
        + "SELECT c.id, 'ev' || g, 'ev' || g, s, s + (15 * (1 + (g % 8))) * interval '1 minute' "
        + "FROM calendars c CROSS JOIN generate_series(1, " + perCalendar + ") g "
        + "CROSS JOIN LATERAL (SELECT date_trunc('hour', now()) + ((g::bigint * 8731 + c.id * 131) % (180 * 24 * 4)) "
        + "* interval '15 minutes' AS s) x");
    TestDb.exec(url, "VACUUM ANALYZE busy_blocks");
  }

  private static void measure(Harness h, SplittableRandom rnd, Instant base, int calendars, int n, int inFlight, String label) {
    long[] nanos = new long[n];
    java.util.concurrent.atomic.AtomicInteger found = new java.util.concurrent.atomic.AtomicInteger();
    java.util.Map<Long, Long> pg0 = backendsCpuNanos(h);
    long cpu0 = OS.getProcessCpuTime();
    long wall = System.nanoTime();
    int next = 0;
    // each round's checks are sent together from one Vert.x context, as the API verticle sends them (a request sent
    // from this thread would make a new context each time: client cost the daemon does not have)
    io.vertx.core.Context client = h.vertx.getOrCreateContext();
    while (next < n) {
      int first = next;
      int count = Math.min(inFlight, n - next);
      JsonObject[] bodies = new JsonObject[count];
      for (int k = 0; k < count; k++) {
        Instant start = base.plus(rnd.nextInt(180 * 24 * 4) * 15L, ChronoUnit.MINUTES);
        Instant end = start.plus(30 + rnd.nextInt(31), ChronoUnit.MINUTES);
        bodies[k] = new JsonObject().put("integrationId", 1 + rnd.nextInt(calendars))
            .put("start", start.toString()).put("end", end.toString());
      }
      next += count;
      io.vertx.core.Promise<List<Future<?>>> sent = io.vertx.core.Promise.promise();
      client.runOnContext(v -> {
        List<Future<?>> batch = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
          int i = first + k;
          long t = System.nanoTime();
          batch.add(h.vertx.eventBus().<JsonObject>request(Addresses.BOOKING_CONFLICTS, bodies[k]).onSuccess(m -> {
            nanos[i] = System.nanoTime() - t;
            if (!m.body().getJsonArray("conflicts").isEmpty()) found.incrementAndGet();
          }));
        }
        sent.complete(batch);
      });
      Future.all(sent.future().await()).await();
    }
    double seconds = (System.nanoTime() - wall) / 1e9;
    double jvmCpu = (OS.getProcessCpuTime() - cpu0) / 1e3 / n;
    long pgNanos = 0;
    for (var e : backendsCpuNanos(h).entrySet()) pgNanos += e.getValue() - pg0.getOrDefault(e.getKey(), 0L);
    double pgCpu = pgNanos / 1e3 / n;
    Arrays.sort(nanos);
    System.out.printf("%-13s n=%,d  p50=%.2f ms  p90=%.2f ms  p99=%.2f ms  max=%.2f ms  %,.0f checks/s  (%d%% with conflicts)"
            + "  CPU per check: calsync %.0f us, PostgreSQL %.0f us%n", label, n, ms(nanos, 0.50), ms(nanos, 0.90),
        ms(nanos, 0.99), nanos[n - 1] / 1e6, n / seconds, 100L * found.get() / n, jvmCpu, pgCpu);
  }

  /**
   * CPU so far of each PostgreSQL backend connected to the bench database (the pool's connections; this database
   * only, so other work on a shared server does not count), from /proc/PID/stat; empty when unreadable (server not
   * local). A connection opened during a phase counts from zero.
   */
  private static java.util.Map<Long, Long> backendsCpuNanos(Harness h) {
    java.util.Map<Long, Long> out = new java.util.HashMap<>();
    for (var r : h.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")) {
      try {
        String stat = Files.readString(Path.of("/proc/" + r.getInteger(0) + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        out.put((long) r.getInteger(0), (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L); // utime+stime, 100 Hz
      } catch (IOException | RuntimeException e) {
        // not local or gone: not counted
      }
    }
    return out;
  }

  private static double ms(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }
}
