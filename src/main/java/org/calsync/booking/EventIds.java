package org.calsync.booking;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Google event ids for appointments: "cs" + base32hex (lowercase, no padding) of SHA-256(appointment id), 54
 * characters of [a-v0-9] as Google requires. Deterministic, so a retried or crashed insert can never duplicate.
 */
public final class EventIds {
  private static final char[] B32HEX = "0123456789abcdefghijklmnopqrstuv".toCharArray();

  private EventIds() {
  }

  public static String forAppointment(String appointmentId) {
    return encode(appointmentId);
  }

  /**
   * The id to move the appointment's event to when Google refuses to restore the current one (a deleted id stays
   * reserved, and an update of it may be refused). Derived from both, so a retried move always picks the same id.
   */
  public static String successor(String appointmentId, String currentEventId) {
    return encode(appointmentId + "\n" + currentEventId);
  }

  private static String encode(String key) {
    byte[] h;
    try {
      h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    StringBuilder sb = new StringBuilder(54).append("cs");
    int buffer = 0, bits = 0;
    for (byte b : h) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        sb.append(B32HEX[(buffer >>> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) sb.append(B32HEX[(buffer << (5 - bits)) & 31]);
    return sb.toString();
  }
}
