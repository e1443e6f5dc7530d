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

  void print(PrintStream out) {
    out.println();
    out.println("calsync benchmark");
    for (String s : setup) out.println("  " + s);
    out.println();
    String head = String.format(Locale.ROOT, "%-36s %8s %8s %12s %-7s %9s %9s %9s %8s %8s %8s %6s  %s",
        "phase", "items", "wall s", "rate", "unit", "CPU s/1k", "heap MB", "live MB", "RSS MB", "emu CPU", "pg CPU", "busy%", "note");
    out.println(head);
    out.println("-".repeat(head.length() + 10));
    for (Row r : rows) {
      out.println(String.format(Locale.ROOT, "%-36s %8d %8.2f %12.1f %-7s %9s %9s %9s %8s %8s %8s %6s  %s",
          r.name(), r.items(), r.wallSeconds(), r.rate(), r.unit(), num(r.cpuPer1000(), "%.2f"), num(r.heapUsedMb(), "%.0f"),
          num(r.heapLiveMb(), "%.0f"), num(r.rssMb(), "%.0f"), num(r.emulatorCpu(), "%.1f"), num(r.postgresCpu(), "%.1f"),
          num(r.machineBusy(), "%.0f"), r.note()));
    }
    out.println();
    for (String s : ratios) out.println("  " + s);
    out.println();
    out.println("targets:");
    for (Target t : targets) out.println(String.format(Locale.ROOT, "  %-46s %-28s %s", t.name(), t.reached(), t.met() ? "met" : "NOT MET"));
    out.println();
    out.println("  CPU s/1k = this JVM's process CPU (all threads, GC included) per 1,000 syncs (ingest: per 1,000 integrations);");
    out.println("  heap MB = peak heap in use (the larger of 50 ms samples and the sum of the pools' own peaks: an upper bound);");
    out.println("  live MB = peak heap after GC; RSS MB = peak resident set of this JVM, which runs calsync first, then the peer");
    out.println("  (peer rows include memory the JVM kept from calsync's phases); emu CPU / pg CPU = CPU seconds the emulator");
    out.println("  process / PostgreSQL used in the phase; busy% = the machine's CPU busy share, all cores and processes.");
  }

  private static String num(double v, String fmt) {
    return v < 0 ? "-" : String.format(Locale.ROOT, fmt, v);
  }
}
