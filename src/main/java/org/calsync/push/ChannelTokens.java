package org.calsync.push;

import java.security.MessageDigest;
import org.calsync.crypto.Secrets;

/**
 * Per-channel secrets: a random token ({@link Secrets#randomToken}, 43 characters, within Google's 256-character limit)
 * sent to Google in the watch body (echoed in X-Goog-Channel-Token); only its SHA-256 is stored. Comparison is constant
 * time.
 */
final class ChannelTokens {
  private ChannelTokens() {
  }

  /** True when token hashes to storedHash; time does not depend on where they differ. A null token never matches. */
  static boolean matches(String token, byte[] storedHash) {
    if (token == null || storedHash == null) return false;
    return MessageDigest.isEqual(Secrets.sha256(token), storedHash);
  }
}
