package org.calsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Machine-wide CPU (/proc/stat) and the CPU of the local PostgreSQL server's processes (postmaster + backends). */
final class Machine {
  private final ProcessHandle postmaster;

  Machine(int pgPort) {
    postmaster = ProcessHandle.allProcesses().filter(p -> {
      Optional<String> cmd = p.info().command();
      Optional<String[]> args = p.info().arguments();
      return cmd.isPresent() && cmd.get().endsWith("/postgres") && args.isPresent()
          && Arrays.asList(args.get()).contains(String.valueOf(pgPort));
    }).findFirst().orElse(null);
  }

  /**
   * CPU seconds of the PostgreSQL server so far: the postmaster with its reaped children (exited backends, from
   * /proc/PID/stat utime+stime+cutime+cstime) plus its live descendants; -1 when the server was not found.
   */
  double postgresCpuSeconds() {
    if (postmaster == null) return -1;
    double secs = 0;
    try {
      String stat = Files.readString(Path.of("/proc/" + postmaster.pid() + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      // after the command: field 3 is state, so utime..cstime (fields 14..17) are at indexes 11..14
      for (int i = 11; i <= 14; i++) secs += Long.parseLong(f[i]) / 100.0;
    } catch (IOException | RuntimeException e) {
      secs = cpu(postmaster) / 1e9;
    }
    for (ProcessHandle c : postmaster.descendants().toList()) secs += cpu(c) / 1e9;
    return secs;
  }

  private static long cpu(ProcessHandle p) {
    return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  /**
   * The header lines: CPU model and cores, memory, load average and how busy the machine was in the second before
   * (other processes), the date, this JVM and its options.
   */
  static List<String> describe() {
    List<String> out = new ArrayList<>();
    String model = "?";
    long memKb = 0;
    String load = "?";
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          model = l.substring(l.indexOf(':') + 1).trim();
          break;
        }
      }
      for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (l.startsWith("MemTotal:")) memKb = Long.parseLong(l.replaceAll("\\D", ""));
      }
      load = Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException | RuntimeException e) {
      // not Linux: leave the figures unknown
    }
    long[] a = cpuTicks();
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    double busy = busyPercent(a, cpuTicks());
    out.add(String.format(Locale.ROOT, "machine: %s, %d cores, %.1f GB; load average %s; busy %.0f%% in the second before the "
        + "run (other processes); %s UTC", model, Runtime.getRuntime().availableProcessors(), memKb / 1048576.0, load, busy,
        java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).withNano(0).toLocalDateTime()));
    out.add(String.format(Locale.ROOT, "JVM: %s %s, max heap %d MB, options: %s", System.getProperty("java.vm.name"),
        System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20,
        String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())));
    return out;
  }

  /** [busy, total] jiffies over all cores. */
  static long[] cpuTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
      long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /** Percentage of all cores busy between two cpuTicks() readings, -1 when unknown. */
  static double busyPercent(long[] a, long[] b) {
    long total = b[1] - a[1];
    return total <= 0 ? -1 : 100.0 * (b[0] - a[0]) / total;
  }
}
