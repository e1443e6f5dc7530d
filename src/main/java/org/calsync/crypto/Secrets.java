package org.calsync.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The one place calsync makes and hashes its own secrets (push channel tokens, connect links and OAuth states, API
 * keys, PKCE challenges): 32 random bytes as unpadded base64url, and SHA-256 of a secret's UTF-8 bytes (what is stored).
 */
public final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {
  }

  /** 32 bytes from SecureRandom, unpadded base64url (43 characters). */
  public static String randomToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** SHA-256 of the UTF-8 bytes. */
  public static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** PKCE S256 code challenge of a verifier (RFC 7636: unpadded base64url of SHA-256 of its ASCII bytes). */
  public static String pkceChallenge(String verifier) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier));
  }
}
