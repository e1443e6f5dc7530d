package org.calsync.api;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Small JSON helpers of the API's repositories. */
final class Json {
  private Json() {
  }

  /** RFC 3339 in UTC, or null. */
  static String time(OffsetDateTime t) {
    return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC).toInstant().toString();
  }
}
