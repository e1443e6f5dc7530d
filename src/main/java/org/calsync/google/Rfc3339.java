package org.calsync.google;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Parses Google's RFC 3339 timestamps ({@code 2026-03-09T10:00:00-05:00}, {@code 2026-03-09T15:00:00.000Z}). The
 * common shape is read directly, which is several times faster than {@link OffsetDateTime#parse} (a full sync parses
 * three timestamps per event); anything else falls back to it. Either way an invalid value throws
 * {@link DateTimeException}, and the result equals {@code OffsetDateTime.parse(text)}.
 */
public final class Rfc3339 {
  private Rfc3339() {
  }

  public static OffsetDateTime parse(String s) {
    int n = s.length();
    if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != 'T' && s.charAt(10) != 't')
        || s.charAt(13) != ':' || s.charAt(16) != ':') {
      return OffsetDateTime.parse(s);
    }
    int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
    int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
    if ((year | month | day | hour | minute | second) < 0) return OffsetDateTime.parse(s);
    int i = 19;
    int nanos = 0;
    if (s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
      int len = i - start;
      if (len == 0 || len > 9) return OffsetDateTime.parse(s);
      nanos = digits(s, start, len);
      for (int k = len; k < 9; k++) nanos *= 10;
    }
    ZoneOffset offset;
    if (i == n - 1 && (s.charAt(i) == 'Z' || s.charAt(i) == 'z')) {
      offset = ZoneOffset.UTC;
    } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
      int oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);
      if ((oh | om) < 0 || om > 59) return OffsetDateTime.parse(s);
      int total = oh * 3600 + om * 60;
      offset = ZoneOffset.ofTotalSeconds(s.charAt(i) == '-' ? -total : total);
    } else {
      return OffsetDateTime.parse(s);
    }
    return OffsetDateTime.of(year, month, day, hour, minute, second, nanos, offset);
  }

  /** The non-negative number in s[from, from+len), or -1 if a character is not a digit. */
  private static int digits(String s, int from, int len) {
    int v = 0;
    for (int k = from; k < from + len; k++) {
      char c = s.charAt(k);
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
