package org.calsync.support;

import java.util.LinkedHashMap;
import java.util.Map;
import org.calsync.emulator.Stats;

/** Injected faults by kind, read from the emulator's counters (for the figures convergence tests print). */
public final class FaultCounts {
  private FaultCounts() {
  }

  /**
   * "5xx", "rateLimit" (403 and 429 responses), "reset" (status 0), and, under {@code otherName}, the faults that leave
   * no status of their own (slow responses, truncated JSON, short pages): the emulator's fault total minus the others.
   * Assumes no other 403s (no quotaExceeded, no per-user limit) in the profile.
   */
  public static Map<String, Long> byKind(Stats stats, String otherName) {
    long server = 0;
    long rate = 0;
    long reset = 0;
    for (Map.Entry<String, Long> e : stats.requests().entrySet()) {
      String status = e.getKey().substring(e.getKey().lastIndexOf(' ') + 1);
      if (status.startsWith("5")) server += e.getValue();
      else if (status.equals("429") || status.equals("403")) rate += e.getValue();
      else if (status.equals("0")) reset += e.getValue();
    }
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("5xx", server);
    m.put("rateLimit", rate);
    m.put("reset", reset);
    m.put(otherName, stats.faultsInjected() - server - rate - reset);
    return m;
  }
}
