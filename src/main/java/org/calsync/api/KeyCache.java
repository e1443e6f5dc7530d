package org.calsync.api;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Keys verified recently, by the SHA-256 of the presented key, for api.keyCacheSeconds: a request with a key seen
 * within that time is let in without a database read. So a revoked key keeps working for at most that long (0: no
 * cache, every request reads api_keys). Also remembers when each key was last marked used, so the last_used_at
 * update is sent at most once a minute per key and process. Confined to the API verticle's event loop.
 */
final class KeyCache {
  private static final int MAX_ENTRIES = 10_000;
  private static final long TOUCH_EVERY_NANOS = 60_000_000_000L;
  private record Entry(ApiKeys.Key key, long expiresAt) {
  }

  private final long ttlNanos;
  private final Map<ByteBuffer, Entry> verified = new HashMap<>();
  private final Map<Long, Long> touched = new HashMap<>();

  KeyCache(int ttlSeconds) {
    this.ttlNanos = ttlSeconds * 1_000_000_000L;
  }

  /** The key verified under this hash within the TTL, or null. */
  ApiKeys.Key get(byte[] hash) {
    if (ttlNanos == 0) return null;
    Entry e = verified.get(ByteBuffer.wrap(hash));
    if (e == null) return null;
    if (System.nanoTime() - e.expiresAt > 0) {
      verified.remove(ByteBuffer.wrap(hash));
      return null;
    }
    return e.key;
  }

  void put(byte[] hash, ApiKeys.Key key) {
    if (ttlNanos == 0) return;
    if (verified.size() >= MAX_ENTRIES) verified.clear();
    verified.put(ByteBuffer.wrap(hash.clone()), new Entry(key, System.nanoTime() + ttlNanos));
  }

  /** True when the key's use should be recorded now (first use, or a minute since the last record). */
  boolean touchDue(long keyId) {
    long now = System.nanoTime();
    Long last = touched.get(keyId);
    if (last != null && now - last < TOUCH_EVERY_NANOS) return false;
    if (touched.size() >= MAX_ENTRIES) touched.clear();
    touched.put(keyId, now);
    return true;
  }
}
