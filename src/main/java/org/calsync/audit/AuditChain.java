package org.calsync.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The audit hash chain: hash = SHA-256(prev_hash || atMicros || actor || action || integrationId || detail), each
 * variable-length field length-prefixed so that no two records encode alike. The first record chains to 32 zero bytes.
 */
public final class AuditChain {
  public static final byte[] GENESIS = new byte[32];

  private AuditChain() {
  }

  public static byte[] hash(byte[] prev, long atMicros, String actor, String action, Long integrationId, String detail) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(prev);
      d.update(ByteBuffer.allocate(16).putLong(atMicros).putLong(integrationId == null ? Long.MIN_VALUE : integrationId).array());
      field(d, actor);
      field(d, action);
      field(d, detail);
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void field(MessageDigest d, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    d.update(ByteBuffer.allocate(4).putInt(b.length).array());
    d.update(b);
  }
}
