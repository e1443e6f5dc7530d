package org.calsync.push;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Per-channel secrets: a random token sent to Google in the watch body (echoed in X-Goog-Channel-Token); only its
 * SHA-256 is stored. Comparison is constant time.
 */
final class ChannelTokens {
  private static final SecureRandom RANDOM = new SecureRandom();

  private ChannelTokens() {
  }

  /** 256 random bits, base64url without padding (43 characters, within Google's 256-character limit). */
  static String newToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** True when token hashes to storedHash; time does not depend on where they differ. A null token never matches. */
  static boolean matches(String token, byte[] storedHash) {
    if (token == null || storedHash == null) return false;
    return MessageDigest.isEqual(hash(token), storedHash);
  }
}
