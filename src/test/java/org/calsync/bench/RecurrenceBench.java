package org.calsync.bench;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.calsync.mirror.BusyExpansion;
import org.calsync.mirror.BusyExpansion.Expansion;
import org.calsync.mirror.BusyExpansion.Source;

/**
 * {@code ./run.sh bench-recurrence}: busy-time expansion of pathological recurring events over the daemon's window
 * (7 days back, booking.horizonDays = 183 ahead): time per event (median of 20 runs after warm-up), rows stored and
 * whether the event was quarantined. Pure computation, no database. Not a test: run it by hand.
 */
public final class RecurrenceBench {
  private RecurrenceBench() {
  }

  public static void main(String[] args) {
    Instant now = Instant.now();
    Instant from = now.minus(Duration.ofDays(7));
    Instant until = now.plus(Duration.ofDays(183));
    List<Object[]> cases = List.of(
        new Object[] {"FREQ=SECONDLY;COUNT=1000000000 from 1970, 1 s", "1970-01-01T00:00:00Z", Duration.ofSeconds(1),
            "RRULE:FREQ=SECONDLY;COUNT=1000000000"},
        new Object[] {"FREQ=MINUTELY from 1900, 30 min", "1900-01-01T08:00:00Z", Duration.ofMinutes(30), "RRULE:FREQ=MINUTELY"},
        new Object[] {"FREQ=HOURLY from 2020, one-year duration", "2020-03-01T09:00:00Z", Duration.ofDays(365),
            "RRULE:FREQ=HOURLY"},
        new Object[] {"FREQ=SECONDLY from 1970, 1 s (no COUNT)", "1970-01-01T00:00:00Z", Duration.ofSeconds(1),
            "RRULE:FREQ=SECONDLY"},
        new Object[] {"FREQ=MINUTELY;BYHOUR=9 from 1900, 1 min", "1900-01-01T09:00:00Z", Duration.ofMinutes(1),
            "RRULE:FREQ=MINUTELY;BYHOUR=9"});
    System.out.printf(Locale.ROOT, "%-45s %12s %8s %s%n", "event", "ms/event", "rows", "quarantined");
    for (Object[] c : cases) {
      OffsetDateTime start = OffsetDateTime.parse((String) c[1]);
      Source s = new Source("e", "confirmed", "opaque", null, start, start.plus((Duration) c[2]), false, (String) c[3],
          null, null, null, "UTC");
      Expansion e = null;
      for (int i = 0; i < 5; i++) e = BusyExpansion.expand(List.of(s), ZoneOffset.UTC, from, until);
      long[] nanos = new long[20];
      for (int i = 0; i < nanos.length; i++) {
        long t0 = System.nanoTime();
        e = BusyExpansion.expand(List.of(s), ZoneOffset.UTC, from, until);
        nanos[i] = System.nanoTime() - t0;
      }
      java.util.Arrays.sort(nanos);
      System.out.printf(Locale.ROOT, "%-45s %12.2f %8d %s%n", c[0], nanos[nanos.length / 2] / 1e6, e.blocks().size(),
          e.quarantined().isEmpty() ? "no" : "yes: " + e.quarantined().get(0).reason());
    }
  }
}
