package org.calsync.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Measures one phase of this JVM: wall time, process CPU (all threads, GC included), peak heap in use (sampled every
 * 50 ms and the pools' peak usage), peak live heap (heap after each GC, from GC notifications; a System.gc() at the
 * end makes sure there is at least one) and peak RSS (VmHWM after resetting it through /proc/self/clear_refs when the
 * kernel allows, else the sampled VmRSS maximum).
 */
final class Meter {
  /** What one phase cost. Bytes and nanoseconds. */
  record Sample(long wallNanos, long cpuNanos, long peakHeapUsed, long peakHeapLive, long peakRss) {
  }

  private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final AtomicLong LIVE_AFTER_GC = new AtomicLong();
  private static final java.util.Set<String> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(java.util.stream.Collectors.toSet());
  private static boolean listening;

  private final long wall0;
  private final long cpu0;
  private final boolean hwmReset;
  private final Thread sampler;
  private volatile boolean running = true;
  private volatile long maxUsed;
  private volatile long maxRss;

  private Meter() {
    listenToGc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
    LIVE_AFTER_GC.set(0);
    hwmReset = resetHighWaterMark();
    sampler = new Thread(this::sample, "bench-meter");
    sampler.setDaemon(true);
    sampler.start();
    wall0 = System.nanoTime();
    cpu0 = OS.getProcessCpuTime();
  }

  static Meter start() {
    return new Meter();
  }

  /** Ends the phase: wall and CPU are taken before the final System.gc(). */
  Sample stop() {
    long wall = System.nanoTime() - wall0;
    long cpu = OS.getProcessCpuTime() - cpu0;
    System.gc();
    running = false;
    try {
      sampler.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long peakPools = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) peakPools += p.getPeakUsage().getUsed();
    }
    long rss = hwmReset ? Math.max(status("VmHWM:"), maxRss) : maxRss;
    return new Sample(wall, cpu, Math.max(maxUsed, peakPools), LIVE_AFTER_GC.get(), rss);
  }

  private void sample() {
    while (running) {
      long used = 0;
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) used += p.getUsage().getUsed();
      if (used > maxUsed) maxUsed = used;
      long rss = status("VmRSS:");
      if (rss > maxRss) maxRss = rss;
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static synchronized void listenToGc() {
    if (listening) return;
    listening = true;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (!(gc instanceof NotificationEmitter emitter)) continue;
      emitter.addNotificationListener((n, h) -> {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) return;
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long live = 0;
        for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
          if (HEAP_POOLS.contains(e.getKey())) live += e.getValue().getUsed();
        }
        LIVE_AFTER_GC.accumulateAndGet(live, Math::max);
      }, null, null);
    }
  }

  /** Writes 5 to /proc/self/clear_refs (resets VmHWM); false when not permitted. */
  private static boolean resetHighWaterMark() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** A /proc/self/status figure in bytes (kB in the file), 0 when unavailable. */
  static long status(String key) {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
      for (String l : lines) {
        if (l.startsWith(key)) return Long.parseLong(l.substring(key.length()).trim().split("\\s+")[0]) * 1024;
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }
}
