package org.calsync.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.calsync.demo.EmbeddedDb;
import org.calsync.emulator.SeededUser;
import org.calsync.support.TestDb;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./run.sh bench}: calsync against the Google emulator with injected latency, next to Google's official Java
 * client on a thread pool and the database's own single-row-update limit, in one table. Not a test: run it by hand.
 *
 * <p>Phases: seed the emulator (a separate JVM, so its CPU is not calsync's); connect N integrations; calsync's
 * initial full sync, an incremental no-change cycle and a cycle after editing a share of the calendars (cycles go
 * through the daemon's path: App workers, SchedulerTasks.dispatchCycle, until the jobs table is empty); the same three
 * with the official client; the PostgreSQL limit; the initial full-sync ingest of M integrations x E events.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Benchmark calsync against the official Google client and the PostgreSQL limit; prints one table.")
public final class Benchmark implements Callable<Integer> {
  static final long INGEST_USER = 1_000_000_000L;
  static final long WARMUP_USER = 1_000_000_001L;

  @Option(names = "--quick", description = "Small smoke run (500 integrations, 100 x 250 ingest, 2 s PostgreSQL limit)")
  boolean quick;
  @Option(names = "--integrations", description = "Integrations to sync (default 10000; quick 500)")
  Integer integrations;
  @Option(names = "--events-per-user", description = "Events per calendar in the sync phases (default 20)")
  Integer eventsPerUser;
  @Option(names = "--latency-ms", description = "Latency the emulator adds to every Calendar API request (default 100)")
  Long latencyMs;
  @Option(names = "--change-share", description = "Share of calendars edited before the changes cycle (default 0.2)")
  Double changeShare;
  @Option(names = "--ingest-integrations", description = "Integrations in the ingest phase (default 1000; quick 100; 0 = skip)")
  Integer ingestIntegrations;
  @Option(names = "--ingest-events", description = "Events per calendar in the ingest phase (default 2500; quick 250)")
  Integer ingestEvents;
  @Option(names = "--ingest-page-size", description = "sync.pageSize in the ingest phase (default 2500)")
  Integer ingestPageSize;
  @Option(names = "--peer-threads", split = ",", description = "Official client thread pools to run, each a full set of "
      + "phases; the peer's best is compared (default 64,256,512)")
  List<Integer> peerThreads;
  @Option(names = "--peer-connections", description = "The peer's HikariCP pool size (default 16, as calsync's db.poolSize)")
  Integer peerConnections;
  @Option(names = "--max-full-syncs", description = "calsync sync.maxFullSyncs in the sync phases (default: the daemon's)")
  Integer maxFullSyncs;
  @Option(names = "--calendar-list-minutes", description = "calsync sync.calendarListMinutes in the sync phases "
      + "(default: the daemon's; 0: every sync asks calendarList)")
  Integer calendarListMinutes;
  @Option(names = "--no-peer", description = "Skip the official-client phases")
  boolean noPeer;
  @Option(names = "--pg-clients", description = "Connections for the PostgreSQL limit (default 64)")
  Integer pgClients;
  @Option(names = "--pg-seconds", description = "Duration of the PostgreSQL limit measurement (default 10; quick 2)")
  Double pgSeconds;
  @Option(names = "--db-url", description = "An empty PostgreSQL database (postgresql://user@host:port/db) instead of an embedded one")
  String dbUrl;
  @Option(names = "--pool-size", description = "calsync db.poolSize (default 16, the daemon's default)")
  Integer poolSize;
  @Option(names = "--max-concurrent", description = "calsync sync.maxConcurrent (default 1024: in-flight syncs cost a "
      + "callback each, not a thread; the daemon's default, 256, is sized for Google's quotas and caps the cycles at about "
      + "2,500 syncs/s at 100 ms latency)")
  Integer maxConcurrent;
  @Option(names = "--ingest-full-syncs", description = "calsync sync.maxFullSyncs in the ingest phase (default 16: pages "
      + "of 2,500 events)")
  Integer ingestFullSyncs;
  @Option(names = "--requests-per-minute", description = "calsync sync.projectRequestsPerMinute (default 1000000: the "
      + "emulator has no project quota; the daemon's default 10000 would cap calsync at 166 requests/s)")
  Integer requestsPerMinute;
  @Option(names = "--emulator", description = "process (a separate JVM; default) or inprocess (this JVM, own Vertx)")
  String emulatorMode;
  @Option(names = "--emulator-jvm-opts", description = "JVM options of the emulator process (default -Xmx4g -XX:+UseParallelGC)")
  String emulatorJvmOpts;
  @Option(names = "--change-set", description = "Run only the large change-set phase: one calendar mirrored, then this many "
      + "events added in Google, then one incremental sync (pages of --ingest-page-size); prints its heap figures. Run it "
      + "with JAVA_OPTS=-Xmx256m to show the heap does not grow with the change set")
  Integer changeSet;
  @Option(names = "--warmup", description = "Integrations each side syncs (full, then incremental) before it is measured, so "
      + "neither is measured with a cold JIT (default 500; quick 200; 0 = none)")
  Integer warmup;
  @Option(names = "--cycle-timeout", description = "Seconds a cycle may take; then it is reported as unfinished (default 1800)")
  Integer cycleTimeout;

  private PrintStream out = System.out;
  Report report;

  public static void main(String[] args) {
    System.setProperty("http.maxConnections", "256"); // the JDK keeps 5 idle connections per host by default: fair to the peer
    int code = new CommandLine(new Benchmark()).execute(args);
    System.exit(code);
  }

  Benchmark output(PrintStream out) {
    this.out = out;
    return this;
  }

  private static <T> T or(T v, T dflt) {
    return v != null ? v : dflt;
  }

  @Override
  public Integer call() throws Exception {
    int n = or(integrations, quick ? 500 : 10_000);
    int perUser = or(eventsPerUser, 20);
    long latency = or(latencyMs, 100L);
    double share = or(changeShare, 0.2);
    int ingestN = or(ingestIntegrations, quick ? 100 : 1000);
    int ingestE = or(ingestEvents, quick ? 250 : 2500);
    List<Integer> threadCounts = or(peerThreads, List.of(64, 256, 512));
    int peerPool = or(peerConnections, 16);
    int warmN = or(warmup, quick ? 200 : 500);
    int timeout = or(cycleTimeout, 1800);
    report = new Report();
    EmbeddedDb embedded = dbUrl == null ? EmbeddedDb.start() : null;
    String url = embedded != null ? embedded.url() : dbUrl;
    String jdbc = TestDb.jdbc(url);
    Machine machine = new Machine(port(url));
    List<String> emuOpts = List.of(or(emulatorJvmOpts, "-Xmx4g -XX:+UseParallelGC").trim().split("\\s+"));
    EmulatorHandle emu = "inprocess".equals(emulatorMode) ? EmulatorHandle.inProcess() : EmulatorHandle.process(emuOpts);
    try {
      if (changeSet != null) return changeSet(url, emu, machine, changeSet, timeout);
      report.setup.addAll(Machine.describe());
      report.setup.add(String.format(Locale.ROOT, "run: %d integrations x %d events, emulator latency %d ms (%s, JVM %s), %s "
              + "PostgreSQL; calsync poolSize %d maxConcurrent %d maxFullSyncs %s calendarListMinutes %s; peer: official client on %s threads, "
              + "HikariCP pool of %d; each side warmed up on %d other integrations first", n, perUser, latency, emulatorMode == null ? "separate process" : emulatorMode,
          String.join(" ", emuOpts), embedded != null ? "embedded (fsync and synchronous_commit off)" : "given",
          or(poolSize, 16), or(maxConcurrent, 1024), maxFullSyncs == null ? "default" : maxFullSyncs,
          calendarListMinutes == null ? "default" : calendarListMinutes, threadCounts, peerPool, warmN));
      long t0 = System.nanoTime();
      List<SeededUser> seeded = emu.seed(ingestN + warmN + n, perUser);
      List<SeededUser> warmUsers = seeded.subList(ingestN, ingestN + warmN);
      List<SeededUser> users = seeded.subList(ingestN + warmN, seeded.size());
      emu.latency(latency);
      progress("seeded %d users in %.1f s", seeded.size(), (System.nanoTime() - t0) / 1e9);
      List<String> changedCalendars = new ArrayList<>();
      int every = Math.max(1, (int) Math.round(1 / Math.max(share, 1e-9)));
      for (int i = 0; i < users.size(); i += every) changedCalendars.add(users.get(i).email());

      // ---- calsync
      try (CalsyncSide calsync = new CalsyncSide(url, emu.baseUrl(), or(poolSize, 16), or(maxConcurrent, 1024), 250,
          maxFullSyncs, or(requestsPerMinute, 1_000_000), calendarListMinutes)) {
        if (warmN > 0) {
          calsync.connect(warmUsers, WARMUP_USER);
          calsync.cycle(WARMUP_USER, timeout);
          calsync.cycle(WARMUP_USER, timeout);
          calsync.retire(WARMUP_USER);
          progress("calsync: warmed up on %d other integrations", warmN);
        }
        t0 = System.nanoTime();
        calsync.connect(users, null);
        progress("calsync: connected %d integrations in %.1f s", n, (System.nanoTime() - t0) / 1e9);
        calsyncCycle("calsync initial full sync", calsync, null, n, timeout, emu, machine);
        calsyncCycle("calsync incremental, no changes", calsync, null, n, timeout, emu, machine);
        emu.insertEvents(changedCalendars, "calsync-bench change");
        calsyncCycle(String.format(Locale.ROOT, "calsync incremental, %.0f%% changed", share * 100), calsync, null, n, timeout, emu, machine);
      }

      // ---- the official client
      if (!noPeer) {
        if (warmN > 0) {
          try (OfficialClientPeer warm = new OfficialClientPeer(jdbc, emu.baseUrl(), warmUsers, threadCounts.get(0), peerPool, 250)) {
            warm.cycle(true);
            warm.cycle(false);
            progress("peer: warmed up on %d other integrations", warmN);
          }
        }
        for (int threads : threadCounts) {
          try (OfficialClientPeer peer = new OfficialClientPeer(jdbc, emu.baseUrl(), users, threads, peerPool, 250)) {
            String p = "peer " + threads + "t ";
            peerCycle(p + "initial full sync", peer, true, n, emu, machine);
            peerCycle(p + "incremental, no changes", peer, false, n, emu, machine);
            emu.insertEvents(changedCalendars, "peer-bench change " + threads);
            peerCycle(String.format(Locale.ROOT, "%sincremental, %.0f%% changed", p, share * 100), peer, false, n, emu, machine);
          }
        }
      }

      // ---- the PostgreSQL limit
      int clients = or(pgClients, 64);
      double secs = or(pgSeconds, quick ? 2.0 : 10.0);
      measure("PostgreSQL limit (single-row UPDATE tx)", emu, machine, 0, "tx/s", () -> {
        double tps = PgLimit.transactionsPerSecond(jdbc, clients, secs);
        return new Outcome((long) (tps * secs), tps, clients + " JDBC connections, " + secs + " s");
      });

      // ---- ingest
      if (ingestN > 0) {
        List<SeededUser> ingestUsers = emu.seed(ingestN, Math.max(0, ingestE - perUser));
        try (CalsyncSide ingest = new CalsyncSide(url, emu.baseUrl(), or(poolSize, 16), or(maxConcurrent, 1024),
            or(ingestPageSize, 2500), or(ingestFullSyncs, 16), or(requestsPerMinute, 1_000_000))) {
          ingest.connect(ingestUsers, INGEST_USER);
          measure(String.format(Locale.ROOT, "calsync ingest %d x %d events", ingestN, ingestE), emu, machine, ingestN, "events/s", () -> {
            CalsyncSide.Cycle c = ingest.cycle(INGEST_USER, timeout);
            double rate = c.upserted() / wall();
            return new Outcome(c.upserted(), rate, String.format(Locale.ROOT, "synced %d failed/unfinished %d, %.0f integrations/s%s",
                c.synced(), c.failed(), c.synced() / wall(), c.synced() < c.enqueued() ? " (TIMED OUT after " + timeout + " s)" : ""));
          });
        }
      }
      evaluate(ingestN > 0, String.format(Locale.ROOT, "incremental, %.0f%% changed", share * 100));
      report.print(out);
      return 0;
    } finally {
      emu.close();
      if (embedded != null) embedded.close();
    }
  }

  /** The --change-set phase alone (incremental listings are applied page by page: heap bounded by a page). */
  private int changeSet(String url, EmulatorHandle emu, Machine machine, int changes, int timeout) {
    report.setup.add(String.format(Locale.ROOT, "change set: 1 calendar of 10 events, then %d events added in Google; "
        + "pages of %d; max heap %d MB", changes, or(ingestPageSize, 2500), java.lang.Runtime.getRuntime().maxMemory() >> 20));
    List<SeededUser> user = emu.seed(1, 10);
    try (CalsyncSide calsync = new CalsyncSide(url, emu.baseUrl(), or(poolSize, 16), or(maxConcurrent, 1024),
        or(ingestPageSize, 2500), or(ingestFullSyncs, 16), or(requestsPerMinute, 1_000_000))) {
      calsync.connect(user, null);
      CalsyncSide.Cycle first = calsync.cycle(null, timeout);
      progress("initial full sync: synced %d failed %d", first.synced(), first.failed());
      emu.seed(1, changes);
      progress("added %d events to %s", changes, user.get(0).email());
      measure(String.format(Locale.ROOT, "calsync incremental, %d changes", changes), emu, machine, 0, "events/s", () -> {
        CalsyncSide.Cycle c = calsync.cycle(null, timeout);
        return new Outcome(c.upserted(), c.upserted() / wall(), String.format(Locale.ROOT,
            "synced %d failed %d, mirror holds %d events", c.synced(), c.failed(), calsync.count("SELECT count(*) FROM calendar_events")));
      });
      long mirrored = calsync.count("SELECT count(*) FROM calendar_events");
      report.targets.add(new Report.Target("change set complete (mirror = 10 + changes)", mirrored + " events", mirrored == 10L + changes));
    }
    report.print(out);
    return 0;
  }

  private void calsyncCycle(String name, CalsyncSide calsync, Long userId, int n, int timeout, EmulatorHandle emu, Machine machine) {
    measure(name, emu, machine, n, "integ/s", () -> {
      CalsyncSide.Cycle c = calsync.cycle(userId, timeout);
      return new Outcome(c.synced(), c.synced() / wall(), String.format(Locale.ROOT, "synced %d/%d failed %d, events changed %d",
          c.synced(), c.enqueued(), c.failed(), c.changedEvents()));
    });
  }

  private void peerCycle(String name, OfficialClientPeer peer, boolean full, int n, EmulatorHandle emu, Machine machine) {
    measure(name, emu, machine, n, "integ/s", () -> {
      OfficialClientPeer.Cycle c = peer.cycle(full);
      return new Outcome(c.synced(), c.synced() / wall(), String.format(Locale.ROOT, "synced %d/%d failed %d, events changed %d%s",
          c.synced(), n, c.failed(), c.changedEvents(), c.firstError() == null ? "" : " first error: " + c.firstError()));
    });
  }

  /** What a phase produced: items (syncs, events, transactions), its rate, a note. */
  record Outcome(long items, double rate, String note) {
  }

  private static final ThreadLocal<Long> PHASE_START = new ThreadLocal<>();

  /** Seconds since the current phase started (inside measure). */
  private static double wall() {
    return (System.nanoTime() - PHASE_START.get()) / 1e9;
  }

  /** Runs a phase under a Meter; cpuUnits = syncs the CPU figure is divided by (0 = no CPU/1k figure). */
  private void measure(String name, EmulatorHandle emu, Machine machine, long cpuUnits, String unit, Supplier<Outcome> phase) {
    progress("%s ...", name);
    System.gc();
    long emu0 = emu.cpuNanos();
    double pg0 = machine.postgresCpuSeconds();
    long[] ticks0 = Machine.cpuTicks();
    Meter meter = Meter.start();
    PHASE_START.set(System.nanoTime());
    Outcome o = phase.get();
    Meter.Sample s = meter.stop();
    long[] ticks1 = Machine.cpuTicks();
    long emu1 = emu.cpuNanos();
    double pg1 = machine.postgresCpuSeconds();
    double wall = s.wallNanos() / 1e9;
    double per1k = cpuUnits > 0 ? s.cpuNanos() / 1e9 / cpuUnits * 1000 : -1;
    Report.Row row = new Report.Row(name, o.items(), wall, o.rate(), unit, per1k, s.peakHeapUsed() / 1048576.0,
        s.peakHeapLive() / 1048576.0, s.peakRss() / 1048576.0, emu0 < 0 ? -1 : (emu1 - emu0) / 1e9,
        pg0 < 0 ? -1 : pg1 - pg0, Machine.busyPercent(ticks0, ticks1), o.note());
    report.rows.add(row);
    progress("%s: %.2f s, %.1f %s, CPU %.2f s (%s)", name, wall, o.rate(), unit, s.cpuNanos() / 1e9, o.note());
  }

  private static final String PG_UNKNOWN = "unknown: PostgreSQL's CPU not measurable (server not found by its port)";

  /** The targets against the peer's best thread count for each phase (one run, both sides on this machine). */
  private void evaluate(boolean ingest, String changedPhase) {
    Report.Row limit = report.rows.stream().filter(r -> r.name().startsWith("PostgreSQL limit")).findFirst().orElseThrow();
    for (String phase : List.of("initial full sync", "incremental, no changes", changedPhase)) {
      Report.Row c = report.row("calsync " + phase);
      if (c == null) continue;
      String what = c.name().substring("calsync ".length());
      Report.Row best = report.bestPeer(what);
      if (best != null) {
        double ratio = c.rate() / best.rate();
        report.ratios.add(String.format(Locale.ROOT, "calsync/best peer %-26s %6.2fx (%.1f vs %.1f integrations/s, %s)", what,
            ratio, c.rate(), best.rate(), best.name().substring("peer ".length(), best.name().indexOf(' ', 5))));
        double need = phase.startsWith("initial") ? 2 : phase.contains("no changes") ? 3 : 2;
        report.targets.add(new Report.Target(String.format(Locale.ROOT, "%s >= %.0fx best peer", what, need),
            String.format(Locale.ROOT, "%.2fx", ratio), ratio >= need));
        if (phase.startsWith("initial")) {
          boolean known = c.postgresCpu() >= 0 && best.postgresCpu() > 0;
          double pg = known ? c.pgMsPerItem() / best.pgMsPerItem() : -1;
          report.targets.add(new Report.Target("full sync PostgreSQL CPU/event <= 1.5x peer", known ? String.format(Locale.ROOT,
              "%.2fx (%.2f vs %.2f ms/sync)", pg, c.pgMsPerItem(), best.pgMsPerItem()) : PG_UNKNOWN, known && pg <= 1.5));
        }
      }
      if (phase.contains("no changes")) {
        boolean known = c.postgresCpu() >= 0;
        report.targets.add(new Report.Target("no-change CPU/sync (calsync + PostgreSQL) <= 0.15 ms",
            known ? String.format(Locale.ROOT, "%.3f ms", c.allMsPerItem()) : PG_UNKNOWN, known && c.allMsPerItem() <= 0.15));
      }
      report.ratios.add(String.format(Locale.ROOT, "calsync/limit %-26s %6.1f%% (%.1f integrations/s vs %.0f tx/s)", what,
          c.rate() / limit.rate() * 100, c.rate(), limit.rate()));
    }
    List<Report.Row> calsync = report.rows.stream().filter(r -> r.name().startsWith("calsync") && !r.name().startsWith("calsync ingest")).toList();
    double live = calsync.stream().mapToDouble(Report.Row::heapLiveMb).max().orElse(0);
    double used = calsync.stream().mapToDouble(Report.Row::heapUsedMb).max().orElse(0);
    double rss = calsync.stream().mapToDouble(Report.Row::rssMb).max().orElse(0);
    report.targets.add(new Report.Target("heap live < 256 MB (bench JVM)", String.format(Locale.ROOT, "%.0f MB (in use peak %.0f MB)", live, used), live < 256));
    report.targets.add(new Report.Target("RSS < 300 MB (bench JVM: calsync + harness)", String.format(Locale.ROOT, "%.0f MB", rss), rss < 300));
    if (ingest) {
      Report.Row in = report.rows.stream().filter(r -> r.name().startsWith("calsync ingest")).findFirst().orElseThrow();
      report.targets.add(new Report.Target("ingest >= 100,000 events/s", String.format(Locale.ROOT, "%.0f events/s", in.rate()), in.rate() >= 100_000));
    }
  }

  private void progress(String fmt, Object... args) {
    out.printf(Locale.ROOT, "[bench %tT] " + fmt + "%n", prepend(System.currentTimeMillis(), args));
    out.flush();
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  private static int port(String url) {
    try {
      return java.net.URI.create(url.replaceFirst("^postgres(ql)?://", "http://")).getPort();
    } catch (RuntimeException e) {
      return -1;
    }
  }
}
