package org.calsync.google;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Rfc3339Test {

  @Test
  void agreesWithTheJdkParserOnGoogleShapes() {
    String[] samples = {"2026-03-09T10:00:00-05:00", "2026-03-09T15:00:00Z", "2026-03-09T15:00:00z", "2026-03-09t15:00:00Z",
        "2026-03-09T15:00:00.000Z", "2026-03-09T15:00:00.5+05:30", "2026-03-09T15:00:00.123456789-09:30",
        "2024-02-29T23:59:59+14:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2026-11-01T01:30:00-04:00"};
    for (String s : samples) assertThat(Rfc3339.parse(s)).as(s).isEqualTo(OffsetDateTime.parse(s));

    Random r = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      int offsetMinutes = (r.nextInt(18 * 4 * 2 + 1) - 18 * 4) * 15;
      OffsetDateTime t = Instant.ofEpochSecond(r.nextLong() % 4_000_000_000L, r.nextInt(4) == 0 ? r.nextInt(1_000_000_000) : 0)
          .atOffset(ZoneOffset.ofTotalSeconds(offsetMinutes * 60));
      String s = t.toString();
      if (s.length() == 16 + (s.endsWith("Z") ? 1 : 6)) continue; // the JDK omits :00 seconds; Google never does
      assertThat(Rfc3339.parse(s)).as(s).isEqualTo(OffsetDateTime.parse(s));
    }
  }

  @Test
  void rejectsWhatTheJdkRejects() {
    String[] bad = {"2026-02-30T10:00:00Z", "2026-13-01T10:00:00Z", "2026-03-09T24:00:00Z", "2026-03-09T10:60:00Z",
        "2026-03-09T10:00:60Z", "2026-03-09T10:00:00", "2026-03-09T10:00:00+25:00", "2026-03-09T10:00:00+05:60",
        "2026-03-09T10:00:00.1234567890Z", "2026-03-09 10:00:00Z", "2026-3-9T10:00:00Z",
        "2026-03-09T1O:00:00Z", "2026-03-09T10:00:00Zjunk", "", "not a time"};
    for (String s : bad) {
      assertThatThrownBy(() -> OffsetDateTime.parse(s)).as("JDK on " + s).isInstanceOf(DateTimeException.class);
      assertThatThrownBy(() -> Rfc3339.parse(s)).as(s).isInstanceOf(DateTimeException.class);
    }
  }
}
