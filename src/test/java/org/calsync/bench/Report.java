package org.calsync.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The benchmark's one table: rows of measured phases, ratios and targets. */
final class Report {
  /**
   * One measured phase. rate is integrations/s (or events/s, tx/s: see unit). cpuPer1000 is this JVM's CPU seconds
   * per 1,000 syncs; emulatorCpu, postgresCpu and machineBusy describe the rest of the machine (-1 = unknown).
   */
  record Row(String name, long items, double wallSeconds, double rate, String unit, double cpuPer1000, double heapUsedMb,
             double heapLiveMb, double rssMb, double emulatorCpu, double postgresCpu, double machineBusy, String note) {
    /** PostgreSQL CPU milliseconds per item (-1 unknown). */
    double pgMsPerItem() {
      return postgresCpu < 0 || items == 0 ? -1 : postgresCpu * 1000 / items;
    }

    /** This JVM's plus PostgreSQL's CPU milliseconds per item: the CPU of a sync across processes (-1 unknown). */
    double allMsPerItem() {
      return cpuPer1000 < 0 || postgresCpu < 0 ? -1 : cpuPer1000 + pgMsPerItem();
    }
  }

  /** A target and whether it was met. */
  record Target(String name, String reached, boolean met) {
  }

  final List<Row> rows = new ArrayList<>();
  final List<String> ratios = new ArrayList<>();
  final List<Target> targets = new ArrayList<>();
  final List<String> setup = new ArrayList<>();

  Row row(String name) {
    return rows.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
  }

  /** The peer row ("peer <n>t <phase>") with the highest rate for the phase, null when the peer did not run. */
  Row bestPeer(String phase) {
    return rows.stream().filter(r -> isPeerPhase(r, phase))
        .max(java.util.Comparator.comparingDouble(Row::rate)).orElse(null);
  }

  private static boolean isPeerPhase(Row r, String phase) {
    return r.name().startsWith("peer ") && r.name().substring(r.name().indexOf(' ', 5) + 1).equals(phase);
  }

  void print(PrintStream out) {
    out.println();
    out.println("calsync benchmark");
    for (String s : setup) out.println("  " + s);
    out.println();
    String head = String.format(Locale.ROOT, "%-36s %8s %8s %12s %-7s %9s %9s %9s %9s %8s %8s %8s %6s  %s",
        "phase", "items", "wall s", "rate", "unit", "CPU s/1k", "all ms/1", "heap MB", "live MB", "RSS MB", "emu CPU", "pg CPU", "busy%", "note");
    out.println(head);
    out.println("-".repeat(head.length() + 10));
    for (Row r : rows) {
      out.println(String.format(Locale.ROOT, "%-36s %8d %8.2f %12.1f %-7s %9s %9s %9s %9s %8s %8s %8s %6s  %s",
          r.name(), r.items(), r.wallSeconds(), r.rate(), r.unit(), num(r.cpuPer1000(), "%.2f"),
          r.cpuPer1000() < 0 ? "-" : num(r.allMsPerItem(), "%.3f"), num(r.heapUsedMb(), "%.0f"),
          num(r.heapLiveMb(), "%.0f"), num(r.rssMb(), "%.0f"), num(r.emulatorCpu(), "%.1f"), num(r.postgresCpu(), "%.1f"),
          num(r.machineBusy(), "%.0f"), r.note()));
    }
    printPeers(out);
    out.println();
    for (String s : ratios) out.println("  " + s);
    out.println();
    out.println("targets:");
    for (Target t : targets) out.println(String.format(Locale.ROOT, "  %-46s %-28s %s", t.name(), t.reached(), t.met() ? "met" : "NOT MET"));
    out.println();
    out.println("  CPU s/1k = this JVM's process CPU (all threads, GC included) per 1,000 syncs (ingest: per 1,000 integrations);");
    out.println("  all ms/1 = CPU milliseconds per sync of this JVM and PostgreSQL together (the emulator, Google's stand-in, excluded);");
    out.println("  heap MB = peak heap in use (the larger of 50 ms samples and the sum of the pools' own peaks: an upper bound);");
    out.println("  live MB = peak heap after GC; RSS MB = peak resident set of this JVM, which runs calsync first, then the peer");
    out.println("  (peer rows include memory the JVM kept from calsync's phases); emu CPU / pg CPU = CPU seconds the emulator");
    out.println("  process / PostgreSQL used in the phase; busy% = the machine's CPU busy share, all cores and processes.");
  }

  /** The peer at each thread count: integrations/s and CPU ms per sync (this JVM + PostgreSQL) per phase; * = best. */
  private void printPeers(PrintStream out) {
    List<String> threads = rows.stream().filter(r -> r.name().startsWith("peer ")).map(r -> r.name().substring(5, r.name().indexOf(' ', 5)))
        .distinct().toList();
    if (threads.isEmpty()) return;
    out.println();
    out.println("peer by thread count (integrations/s, CPU ms per sync incl. PostgreSQL; * = best rate):");
    StringBuilder h = new StringBuilder(String.format(Locale.ROOT, "  %-28s", "phase"));
    for (String t : threads) h.append(String.format(Locale.ROOT, " %22s", t.replace("t", "") + " threads"));
    out.println(h);
    for (String phase : rows.stream().filter(r -> r.name().startsWith("calsync ") && !r.name().startsWith("calsync ingest"))
        .map(r -> r.name().substring(8)).toList()) {
      Row best = bestPeer(phase);
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-28s", phase));
      for (String t : threads) {
        Row r = row("peer " + t + " " + phase);
        line.append(r == null ? String.format(Locale.ROOT, " %22s", "-") : String.format(Locale.ROOT, " %9.1f%s %7.3f ms   ",
            r.rate(), r == best ? "*" : " ", r.allMsPerItem()));
      }
      out.println(line);
    }
  }

  private static String num(double v, String fmt) {
    return v < 0 ? "-" : String.format(Locale.ROOT, fmt, v);
  }
}
