package org.calsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.calsync.support.TestDb;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The benchmark in miniature: every row is present with positive figures (behaviour, not speed). */
class BenchmarkSmokeTest {
  @Test
  void quickRunPrintsEveryRowWithPositiveFigures() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Benchmark bench = new Benchmark().output(new PrintStream(buf, true, StandardCharsets.UTF_8));
    int code = new CommandLine(bench).execute("--quick", "--db-url", TestDb.freshDatabase(), "--integrations", "20",
        "--ingest-integrations", "4", "--ingest-events", "60", "--latency-ms", "5", "--pg-seconds", "1", "--pg-clients", "4",
        "--peer-threads", "4,8", "--warmup", "3", "--emulator-jvm-opts", "-Xmx256m");
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(code).as(out).isZero();
    assertThat(bench.report.rows).extracting(Report.Row::name).containsExactly(
        "calsync initial full sync", "calsync incremental, no changes", "calsync incremental, 20% changed",
        "peer 4t initial full sync", "peer 4t incremental, no changes", "peer 4t incremental, 20% changed",
        "peer 8t initial full sync", "peer 8t incremental, no changes", "peer 8t incremental, 20% changed",
        "PostgreSQL limit (single-row UPDATE tx)", "calsync ingest 4 x 60 events");
    for (Report.Row r : bench.report.rows) {
      assertThat(r.items()).as(r.name()).isPositive();
      assertThat(r.rate()).as(r.name()).isPositive();
      assertThat(r.wallSeconds()).as(r.name()).isPositive();
      assertThat(r.heapUsedMb()).as(r.name()).isPositive();
      assertThat(r.rssMb()).as(r.name()).isPositive();
      // the process CPU clock ticks every 10 ms: 20 incremental syncs can all fall within one tick
      if (r.name().contains("initial full sync") || r.name().contains("ingest")) assertThat(r.cpuPer1000()).as(r.name()).isPositive();
      else if (!r.name().startsWith("PostgreSQL")) assertThat(r.cpuPer1000()).as(r.name()).isNotNegative();
    }
    assertThat(bench.report.row("calsync incremental, no changes").items()).isEqualTo(20);
    assertThat(bench.report.row("calsync incremental, 20% changed").note()).contains("events changed 4");
    assertThat(bench.report.row("peer 8t incremental, 20% changed").note()).contains("events changed 4");
    assertThat(bench.report.row("calsync ingest 4 x 60 events").items()).isEqualTo(4 * 60);
    // 2x/3x/2x the best peer, PostgreSQL CPU per event, no-change CPU per sync, heap, RSS, ingest
    assertThat(bench.report.targets).hasSize(8);
    assertThat(bench.report.bestPeer("initial full sync")).isNotNull();
    assertThat(out).contains("machine:", "JVM:", "peer by thread count", "4 threads", "8 threads", "targets:",
        "calsync/best peer", "calsync/limit");
  }
}
