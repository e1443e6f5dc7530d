package org.calsync.google;

import java.util.regex.Pattern;

/**
 * Makes text from HTTP clients and remote bodies safe for logs, job errors and the append-only audit log: URLs and
 * URI paths or queries (they carry calendar ids, syncToken and pageToken), e-mail addresses, and long opaque strings
 * (access and refresh tokens) are replaced by a placeholder; the result is capped at {@link #MAX} characters.
 * Linear in the input's length: every pattern can only start at the beginning of a run (a lookbehind refuses every
 * other position at once), so no position is rescanned; no nested quantifiers.
 */
final class Redaction {
  static final int MAX = 300;
  /** scheme://rest, the scheme being the whole run of scheme characters before "://". */
  private static final Pattern URL = Pattern.compile("(?<![A-Za-z0-9+.-])[A-Za-z0-9+.-]*+://\\S*");
  /** A whole whitespace-delimited word with an @ inside. */
  private static final Pattern ADDRESS = Pattern.compile("(?<!\\S)\\S+@\\S+");
  /** A whole word holding any of / ? &amp; = %. */
  private static final Pattern URI = Pattern.compile("(?<!\\S)\\S*[/?&=%]\\S*");
  private static final Pattern OPAQUE = Pattern.compile("[A-Za-z0-9._~+-]{24,}");

  private Redaction() {
  }

  static String text(String s) {
    if (s == null || s.isBlank()) return "";
    String out = URL.matcher(s).replaceAll("<url>");
    out = ADDRESS.matcher(out).replaceAll("<address>");
    out = URI.matcher(out).replaceAll("<uri>");
    out = OPAQUE.matcher(out).replaceAll("<redacted>");
    out = out.strip();
    return out.length() <= MAX ? out : out.substring(0, MAX) + "...";
  }
}
