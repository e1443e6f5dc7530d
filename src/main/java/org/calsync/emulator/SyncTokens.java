package org.calsync.emulator;

import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * Opaque sync and page tokens (base64url of a small binary record). A sync token names the calendar, the change
 * sequence it was issued at and the singleEvents flag of the listing that produced it. A page token snapshots a
 * listing: the watermark (change sequence at the first page), the originating sync point, the resume position and
 * a hash of the query parameters, so later pages must repeat the first page's query (incl. the same syncToken).
 */
final class SyncTokens {
  private SyncTokens() {}

  private static final byte SYNC = 7, PAGE = 9;

  record Sync(int calendar, long seq, boolean singleEvents) {}

  /** position: (seq, ord) of the next row to emit and {@code sub} the index inside its expansion / sorted list. */
  record Page(int calendar, long watermark, long since, long posSeq, int posOrd, int sub, int limit, int queryHash) {}

  static String sync(int calendar, long seq, boolean singleEvents) {
    ByteBuffer b = ByteBuffer.allocate(14).put(SYNC).putInt(calendar).putLong(seq).put((byte) (singleEvents ? 1 : 0));
    return Base64.getUrlEncoder().encodeToString(b.array());
  }

  static Sync parseSync(String token) {
    try {
      byte[] a = Base64.getUrlDecoder().decode(token);
      if (a.length != 14 || a[0] != SYNC) return null;
      ByteBuffer b = ByteBuffer.wrap(a, 1, 13);
      return new Sync(b.getInt(), b.getLong(), b.get() == 1);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static String page(Page p) {
    ByteBuffer b = ByteBuffer.allocate(1 + 4 + 8 + 8 + 8 + 4 + 4 + 4 + 4).put(PAGE).putInt(p.calendar).putLong(p.watermark)
      .putLong(p.since).putLong(p.posSeq).putInt(p.posOrd).putInt(p.sub).putInt(p.limit).putInt(p.queryHash);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
  }

  static Page parsePage(String token) {
    try {
      byte[] a = Base64.getUrlDecoder().decode(token);
      if (a.length != 45 || a[0] != PAGE) return null;
      ByteBuffer b = ByteBuffer.wrap(a, 1, 44);
      return new Page(b.getInt(), b.getLong(), b.getLong(), b.getLong(), b.getInt(), b.getInt(), b.getInt(), b.getInt());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
