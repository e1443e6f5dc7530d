package org.calsync.emulator;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Draws the fault for each request from a random sequence seeded by the emulator seed; {@link #set} restarts the
 * sequence, so the same profile and the same request order give the same statuses. Thread-safe.
 */
final class FaultInjector {
  static final int USER_LIMIT = 600;
  static final long USER_WINDOW_MS = 60_000;

  /** What to do with one request; {@code error} null means serve normally (after {@code delayMs}). */
  record Decision(long delayMs, ApiError error, String retryAfter, boolean reset, boolean malformed) {
    static final Decision NONE = new Decision(0, null, null, false, false);
  }

  private final long seed;
  private final Stats stats;
  private volatile FaultProfile profile = FaultProfile.none();
  private SplittableRandom rng;
  private SplittableRandom pageRng;
  /** Page tokens recently issued with an empty page: the page they lead to is never empty (bounded). */
  private final Map<String, Boolean> emptyPageTokens = new java.util.LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) { return size() > 10_000; }
  };
  private final java.util.ArrayDeque<Decision> scripted = new java.util.ArrayDeque<>();
  private final Map<String, long[]> windows = new HashMap<>();
  private final Map<String, int[]> positions = new HashMap<>();

  FaultInjector(long seed, Stats stats) {
    this.seed = seed;
    this.stats = stats;
    this.rng = new SplittableRandom(seed);
    this.pageRng = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
  }

  FaultProfile profile() { return profile; }

  synchronized void set(FaultProfile p) {
    profile = p == null ? FaultProfile.none() : p;
    rng = new SplittableRandom(seed);
    pageRng = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
    emptyPageTokens.clear();
    scripted.clear();
    windows.clear();
    positions.clear();
  }

  /**
   * The next count Calendar API requests (any path under /calendar/v3/, whatever the profile) answer status: 429 or 403
   * rateLimitExceeded, or a 500/503 backendError; retryAfter (seconds) is sent as Retry-After when not null.
   */
  synchronized void failNext(int count, int status, String retryAfter) {
    ApiError e = switch (status) {
      case 429, 403 -> GoogleErrors.rateLimit(status);
      case 500, 503 -> GoogleErrors.backendError(status);
      default -> throw new IllegalArgumentException("status must be 403, 429, 500 or 503");
    };
    for (int i = 0; i < count; i++) scripted.add(new Decision(0, e, retryAfter, false, false));
  }

  /** The next scripted answer for a request on path, or null. */
  synchronized Decision scripted(String path) {
    return path.startsWith("/calendar/v3/") ? scripted.poll() : null;
  }

  /** Whether faults apply to {@code path} ("/token" or a path under /calendar/v3/). */
  boolean applies(String path) {
    FaultProfile p = profile;
    if (p.isNone()) return false;
    if (p.paths().isEmpty()) return path.startsWith("/calendar/v3/");
    for (String s : p.paths()) {
      if (s.equals("token")) {
        if (path.equals("/token")) return true;
      } else if (path.startsWith("/calendar/v3/" + (s.startsWith("/") ? s.substring(1) : s))) {
        return true;
      }
    }
    return false;
  }

  synchronized Decision decide(String user, long now) {
    FaultProfile p = profile;
    if (p.isNone()) return Decision.NONE;
    // a fixed number of draws per request keeps the sequence aligned whatever the outcome
    double uReset = rng.nextDouble(), uServer = rng.nextDouble(), uRate = rng.nextDouble(), uQuota = rng.nextDouble();
    double uSlow = rng.nextDouble(), uMalformed = rng.nextDouble();
    int variant = rng.nextInt(10); // serverError: even/odd; rateLimit: variant % 5
    long jitter = p.jitterMs() > 0 ? rng.nextLong(p.jitterMs() + 1) : 0;
    long delay = p.latencyMs() + jitter;
    if (p.perUserLimit() && user != null && !admit(user, now)) {
      return fault(new Decision(delay, GoogleErrors.userRateLimit(), null, false, false));
    }
    if (uReset < p.connectionReset()) return fault(new Decision(delay, null, null, true, false));
    if (uServer < p.serverError()) {
      return fault(new Decision(delay, GoogleErrors.backendError(variant % 2 == 0 ? 500 : 503), null, false, false));
    }
    if (uRate < p.rateLimit()) {
      int v = variant % 5;
      ApiError e = switch (v) {
        case 0 -> GoogleErrors.rateLimit(403);
        case 1 -> GoogleErrors.rateLimit(429);
        case 2 -> GoogleErrors.userRateLimit();
        case 3 -> GoogleErrors.rateLimit(429);
        default -> GoogleErrors.quotaSystemRateLimit();
      };
      String retryAfter = v == 2 ? "1" : v == 3 ? "2" : null;
      return fault(new Decision(delay, e, retryAfter, false, false));
    }
    if (uQuota < p.quotaExceeded()) return fault(new Decision(delay, GoogleErrors.quotaExceeded(), null, false, false));
    if (uSlow < p.slow()) {
      stats.faultInjected();
      delay += p.slowMs();
    }
    boolean malformed = uMalformed < p.malformedJson();
    if (malformed) stats.faultInjected();
    return delay == 0 && !malformed ? Decision.NONE : new Decision(delay, null, null, false, malformed);
  }

  /**
   * The emptyPages fault for one events.list request on {@code path}: -1 for a normal page, otherwise how many items
   * the page may hold (0..maxResults-1; at least 1 when {@code pageToken} came with an empty page). The listing code
   * still issues a nextPageToken for such a page.
   */
  synchronized int shortPage(String path, int maxResults, String pageToken) {
    FaultProfile p = profile;
    if (p.emptyPages() == 0 || !applies(path)) return -1;
    double u = pageRng.nextDouble();
    boolean half = pageRng.nextBoolean();
    int len = pageRng.nextInt(Math.max(1, maxResults));
    if (u >= p.emptyPages()) return -1;
    boolean afterEmpty = pageToken != null && emptyPageTokens.containsKey(pageToken);
    int min = afterEmpty ? 1 : 0;
    if (min >= maxResults) return -1;
    stats.faultInjected();
    return half ? min : Math.max(min, len);
  }

  /** Records that {@code nextPageToken} was issued with an empty page. */
  synchronized void emptyPageIssued(String nextPageToken) {
    emptyPageTokens.put(nextPageToken, Boolean.TRUE);
  }

  private Decision fault(Decision d) {
    stats.faultInjected();
    return d;
  }

  /** Sliding window of the last {@link #USER_LIMIT} admitted request times per user. */
  private boolean admit(String user, long now) {
    long[] ring = windows.computeIfAbsent(user, k -> new long[USER_LIMIT]);
    int[] pos = positions.computeIfAbsent(user, k -> new int[2]); // [next index, count]
    if (pos[1] == USER_LIMIT && ring[pos[0]] > now - USER_WINDOW_MS) return false;
    ring[pos[0]] = now;
    pos[0] = (pos[0] + 1) % USER_LIMIT;
    if (pos[1] < USER_LIMIT) pos[1]++;
    return true;
  }
}
