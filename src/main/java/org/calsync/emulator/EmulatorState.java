package org.calsync.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * All emulator data: users, OAuth tokens, calendars and events. Every public method is thread-safe (one coarse
 * lock); push notifications for a change are sent after the lock is released.
 */
public final class EmulatorState {
  static final String DEFAULT_TIME_ZONE = "America/Toronto";
  private static final char[] B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();
  private static final char[] B32 = "0123456789abcdefghijklmnopqrstuv".toCharArray();

  final Object lock = new Object();
  private final EmulatorOptions options;
  private final Stats stats = new Stats();
  private final FaultInjector faults;
  private final PushNotifier notifier;
  private final MutationDriver mutationDriver;
  private final SplittableRandom rng;

  private final Map<String, CalendarData> calendars = new HashMap<>();
  /** Every calendar, in creation order (the mutation driver picks from it). */
  final List<CalendarData> calendarList = new ArrayList<>();
  final CalendarLists lists = new CalendarLists();
  private final Map<String, String> refreshTokens = new HashMap<>();          // token -> email
  private final Map<String, AccessToken> accessTokens = new HashMap<>();      // token -> grant
  private final Map<String, Set<String>> tokensByUser = new HashMap<>();      // email -> refresh tokens
  private final Map<String, String> tokenClients = new HashMap<>();          // refresh token -> client id (absent = default)
  private final Map<String, String> clients = new HashMap<>();               // client id -> secret
  private final Map<String, String> tokenScopes = new HashMap<>();           // refresh token -> granted scopes (absent = calendar)
  private final Consents consents = new Consents();
  private final IdTokens idTokens = new IdTokens();
  private final ServiceAccounts serviceAccounts = new ServiceAccounts();
  private long seq;
  private long etagCounter;
  private long seedIdCounter;

  /** refreshToken: null for a token of the JWT-bearer grant; scopes: what the token was granted (checked per API method). */
  record AccessToken(String email, String refreshToken, long expiresAtMs, Set<String> scopes) {}

  private static Set<String> scopeSet(String scope) {
    return Set.copyOf(java.util.Arrays.asList(scope.trim().split("\\s+")));
  }

  /** A freshly issued access token; newRefreshToken is null unless refresh tokens rotate. */
  record Grant(String accessToken, long expiresAtMs, String newRefreshToken) {}

  private boolean rotateRefreshTokens;

  /**
   * Off by default (Google's documented behaviour: no new refresh token on refresh). On: every refresh also returns a
   * new refresh token and the one presented stops working, as with OAuth refresh-token rotation (RFC 6819 5.2.2.3),
   * to check that a client stores a refresh token whenever one is returned.
   */
  public void rotateRefreshTokens(boolean on) {
    synchronized (lock) {
      rotateRefreshTokens = on;
    }
  }

  /** Default of {@link #updatedMinWindow(Duration)}: Google is reported to refuse updatedMin older than about 4 weeks. */
  public static final Duration DEFAULT_UPDATED_MIN_WINDOW = Duration.ofDays(28);
  private volatile long updatedMinWindowMs = DEFAULT_UPDATED_MIN_WINDOW.toMillis();

  /**
   * events.list with an {@code updatedMin} older than now minus {@code window} answers 410 updatedMinTooLongAgo
   * (SPEC 2.6). Default {@link #DEFAULT_UPDATED_MIN_WINDOW}.
   */
  public void updatedMinWindow(Duration window) {
    if (window == null || window.isNegative()) throw new IllegalArgumentException("window must be >= 0");
    updatedMinWindowMs = window.toMillis();
  }

  long updatedMinWindowMs() { return updatedMinWindowMs; }

  EmulatorState(Vertx vertx, EmulatorOptions options) {
    this.options = options;
    clients.put(options.clientId(), options.clientSecret());
    this.rng = new SplittableRandom(options.seed());
    this.faults = new FaultInjector(options.seed(), stats);
    this.notifier = new PushNotifier(vertx, stats, options.seed());
    this.mutationDriver = new MutationDriver(vertx, this, options.seed());
  }

  EmulatorOptions options() { return options; }
  /** The consent screen's answers, issued authorization codes and past grants (admin: POST /admin/consent). */
  public Consents consents() { return consents; }
  IdTokens idTokens() { return idTokens; }
  /** Service accounts and domain-wide delegation (JWT-bearer grant). */
  public ServiceAccounts serviceAccounts() { return serviceAccounts; }
  FaultInjector faultInjector() { return faults; }
  PushNotifier notifier() { return notifier; }

  // ---------------------------------------------------------------- users and tokens

  /** Creates the user and its primary calendar (id == email, selected, accessRole owner). Idempotent. */
  public String createUser(String email) {
    synchronized (lock) {
      calendarOrCreate(email);
      return email;
    }
  }

  /** The user's primary calendar, creating the user when new. */
  private CalendarData calendarOrCreate(String email) {
    CalendarData c = calendars.get(email);
    if (c == null) {
      c = newCalendar(email, email, email, DEFAULT_TIME_ZONE);
      lists.addUser(email);
      lists.put(email, c, "owner", true, nextSeq());
    }
    return c;
  }

  private CalendarData newCalendar(String id, String owner, String summary, String timeZone) {
    String resourceId = randomString(B64, 27).replace('-', 'A').replace('_', 'B');
    CalendarData c = new CalendarData(calendarList.size(), id, owner, summary, timeZone, resourceId, nextSeq(),
      System.currentTimeMillis());
    calendars.put(id, c);
    calendarList.add(c);
    return c;
  }

  // ---------------------------------------------------------------- calendar lists

  /**
   * Creates a secondary calendar owned by the user (id {@code c_...@group.calendar.google.com}), listed for them
   * as owner and selected. timeZone null: {@link #DEFAULT_TIME_ZONE}. Returns the id.
   */
  public String addCalendar(String owner, String summary, String timeZone) {
    String tz = timeZone == null ? DEFAULT_TIME_ZONE : timeZone;
    try {
      java.time.ZoneId.of(tz);
    } catch (java.time.DateTimeException e) {
      throw GoogleErrors.invalid("Invalid time zone: " + tz);
    }
    synchronized (lock) {
      requireUser(owner);
      String id = "c_" + randomString(B32, 26) + "@group.calendar.google.com";
      CalendarData c = newCalendar(id, owner, summary == null ? id : summary, tz);
      lists.put(owner, c, "owner", true, nextSeq());
      return id;
    }
  }

  /**
   * Lists the calendar for the user (sharing it, or reviving a removed entry) or changes the entry: accessRole one of
   * freeBusyReader, reader, writer, owner; either may be null (kept; a new entry defaults to reader, selected).
   */
  public void setListEntry(String email, String calendarId, String accessRole, Boolean selected) {
    if (accessRole != null && CalendarLists.rank(accessRole) < 0) {
      throw GoogleErrors.invalid("accessRole must be one of " + CalendarLists.ROLES);
    }
    synchronized (lock) {
      requireUser(email);
      CalendarData cal = require(calendarId);
      if (cal.owner.equals(email) && accessRole != null && !accessRole.equals("owner")) {
        throw GoogleErrors.invalid("The owner of a calendar always has accessRole owner.");
      }
      lists.put(email, cal, accessRole, selected, nextSeq());
    }
  }

  /**
   * Removes the calendar from the user's list (unshares it). The owner removing a secondary calendar deletes it: it
   * leaves every list. A primary calendar cannot be removed from its owner's list.
   */
  public void removeListEntry(String email, String calendarId) {
    synchronized (lock) {
      requireUser(email);
      CalendarData cal = require(calendarId);
      if (cal.id.equals(email)) throw GoogleErrors.invalid("The primary calendar cannot be removed.");
      if (cal.owner.equals(email)) {
        lists.removeEverywhere(cal.id, nextSeq());
        calendars.remove(cal.id);
        calendarList.remove(cal);
      } else if (!lists.remove(email, cal.id, nextSeq())) {
        throw GoogleErrors.notFound();
      }
    }
  }

  private void requireUser(String email) {
    if (email == null || !lists.hasUser(email)) throw GoogleErrors.notFound();
  }

  /** A refresh token of the user for the default client ({@link EmulatorOptions#clientId()}). */
  public String mintRefreshToken(String email) {
    return mintRefreshToken(email, options.clientId());
  }

  /**
   * A refresh token of the user issued to {@code clientId} (a registered client). Presenting it with another
   * registered client's credentials gives 400 unauthorized_client.
   */
  public String mintRefreshToken(String email, String clientId) {
    synchronized (lock) {
      if (!lists.hasUser(email)) throw new IllegalArgumentException("unknown user " + email);
      if (!clients.containsKey(clientId)) throw new IllegalArgumentException("unknown client " + clientId);
      String token = "1//0" + randomString(B64, 100);
      refreshTokens.put(token, email);
      if (!clientId.equals(options.clientId())) tokenClients.put(token, clientId);
      tokensByUser.computeIfAbsent(email, k -> new HashSet<>()).add(token);
      return token;
    }
  }

  /**
   * A refresh token issued by the authorization-code grant: for {@code clientId}, carrying the granted
   * {@code scope} (space-separated), which refreshes report.
   */
  String mintRefreshToken(String email, String clientId, String scope) {
    synchronized (lock) {
      String token = mintRefreshToken(email, clientId);
      tokenScopes.put(token, scope);
      return token;
    }
  }

  /** The granted scopes of a refresh token (space-separated); the calendar scope for tokens minted by the admin API. */
  String scopeOf(String refreshToken) {
    synchronized (lock) {
      return tokenScopes.getOrDefault(refreshToken, TokenEndpoint.SCOPE);
    }
  }

  /** {@code hint} when it names a user (login_hint), else the only user when there is exactly one, else null. */
  String knownUser(String hint) {
    synchronized (lock) {
      if (hint != null && calendars.containsKey(hint)) return hint;
      return hint == null && calendarList.size() == 1 ? calendarList.get(0).owner : null;
    }
  }

  /**
   * Registers (or re-keys) another OAuth client accepted by /token, besides the default one of the options.
   * The default client cannot be re-keyed.
   */
  public void registerClient(String clientId, String clientSecret) {
    if (clientId == null || clientId.isEmpty() || clientSecret == null) throw new IllegalArgumentException("client id and secret required");
    synchronized (lock) {
      if (clientId.equals(options.clientId())) throw new IllegalArgumentException("the default client is fixed by the options");
      clients.put(clientId, clientSecret);
    }
  }

  /** The secret of a registered client, or null when the client is unknown. */
  String clientSecret(String clientId) {
    synchronized (lock) {
      return clientId == null ? null : clients.get(clientId);
    }
  }

  /** The client a live refresh token was issued to, or null when the token is unknown or revoked. */
  String clientOf(String refreshToken) {
    synchronized (lock) {
      if (!refreshTokens.containsKey(refreshToken)) return null;
      return tokenClients.getOrDefault(refreshToken, options.clientId());
    }
  }

  public void revokeRefreshToken(String refreshToken) {
    synchronized (lock) {
      String email = refreshTokens.remove(refreshToken);
      tokenClients.remove(refreshToken);
      tokenScopes.remove(refreshToken);
      if (email != null) tokensByUser.getOrDefault(email, Set.of()).remove(refreshToken);
      accessTokens.values().removeIf(a -> refreshToken.equals(a.refreshToken()));
    }
  }

  /** Revokes every refresh and access token of the user. */
  public void revokeUser(String email) {
    synchronized (lock) {
      Set<String> tokens = tokensByUser.remove(email);
      if (tokens != null) tokens.forEach(t -> {
        refreshTokens.remove(t);
        tokenClients.remove(t);
        tokenScopes.remove(t);
      });
      consents.forget(email);
      accessTokens.values().removeIf(a -> email.equals(a.email()));
    }
  }

  /** Every access token issued so far stops working (401 authError). */
  public void expireAccessTokens() {
    synchronized (lock) {
      accessTokens.clear();
    }
  }

  /** Exchanges a refresh token; null when it is unknown or revoked. */
  Grant refresh(String refreshToken, long now) {
    synchronized (lock) {
      String email = refreshTokens.get(refreshToken);
      if (email == null) return null;
      String rotated = null;
      String scope = tokenScopes.get(refreshToken);
      if (rotateRefreshTokens) {
        String client = tokenClients.getOrDefault(refreshToken, options.clientId());
        revokeRefreshToken(refreshToken);
        rotated = mintRefreshToken(email, client);
        if (scope != null) tokenScopes.put(rotated, scope);
      }
      String token = "ya29.a0" + randomString(B64, 150);
      AccessToken a = new AccessToken(email, rotated != null ? rotated : refreshToken,
        now + options.accessTokenTtlSeconds() * 1000, scopeSet(scope != null ? scope : TokenEndpoint.SCOPE));
      accessTokens.put(token, a);
      stats.tokenRefresh();
      return new Grant(token, a.expiresAtMs(), rotated);
    }
  }

  /**
   * The tokens of a redeemed authorization code: an access token and, for offline access, a refresh token
   * ({@link Grant#newRefreshToken()}) carrying the granted scope.
   */
  Grant exchange(String email, String clientId, String scope, boolean offline, long now) {
    synchronized (lock) {
      String refresh = offline ? mintRefreshToken(email, clientId, scope) : null;
      String token = "ya29.a0" + randomString(B64, 150);
      AccessToken a = new AccessToken(email, refresh, now + options.accessTokenTtlSeconds() * 1000, scopeSet(scope));
      accessTokens.put(token, a);
      return new Grant(token, a.expiresAtMs(), refresh);
    }
  }

  /** True when the user exists (the domain user a delegated assertion names). */
  boolean hasUser(String email) {
    synchronized (lock) {
      return email != null && lists.hasUser(email);
    }
  }

  /** An access token for the user without a refresh token (JWT-bearer grant), granted {@code scope} (space-separated). */
  Grant issueAccessToken(String email, String scope, long now) {
    synchronized (lock) {
      String token = "ya29.c." + randomString(B64, 150);
      AccessToken a = new AccessToken(email, null, now + options.accessTokenTtlSeconds() * 1000, scopeSet(scope));
      accessTokens.put(token, a);
      stats.tokenRefresh();
      return new Grant(token, a.expiresAtMs(), null);
    }
  }

  /** Revokes an access or refresh token (an access token's refresh token goes with it). */
  boolean revokeAny(String token) {
    synchronized (lock) {
      AccessToken a = accessTokens.remove(token);
      if (a != null) {
        consents.forget(a.email());
        if (a.refreshToken() != null) revokeRefreshToken(a.refreshToken());
        return true;
      }
      if (refreshTokens.containsKey(token)) {
        consents.forget(refreshTokens.get(token));
        revokeRefreshToken(token);
        return true;
      }
      return false;
    }
  }

  /** The grant of a live access token (its user and scopes), or null. */
  AccessToken authenticate(String accessToken, long now) {
    synchronized (lock) {
      AccessToken a = accessTokens.get(accessToken);
      if (a == null) return null;
      if (a.expiresAtMs() <= now) {
        accessTokens.remove(accessToken);
        return null;
      }
      return a;
    }
  }

  // ---------------------------------------------------------------- seeding

  /**
   * Creates users "user1@clinic.test".."user{users}@clinic.test" (existing ones are reused), each with
   * {@code eventsPerUser} random events (deterministic from the seed, relative to today's date in UTC) and a new
   * refresh token. Seeded events are stored compactly and rendered on demand. The state lock is taken per chunk of
   * rows, not for the whole run; a user's refresh token is minted only when its calendar is complete.
   */
  public List<SeededUser> seed(int users, int eventsPerUser) {
    long today = LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    long now = System.currentTimeMillis();
    List<SeededUser> out = new ArrayList<>(users);
    for (int i = 1; i <= users; i++) {
      String email = "user" + i + "@clinic.test";
      SplittableRandom r = new SplittableRandom(options.seed() * 1_000_003L + i);
      CalendarData cal;
      long s;
      synchronized (lock) {
        cal = calendarOrCreate(email);
        s = nextSeq();
        cal.reserve(eventsPerUser);
        cal.bulkSeq = s;
        cal.lastSeq = s;
      }
      for (int from = 0; from < eventsPerUser; from += SEED_CHUNK) {
        synchronized (lock) {
          seedRows(cal, r, s, Math.min(SEED_CHUNK, eventsPerUser - from), today, now);
        }
      }
      synchronized (lock) {
        cal.updatedMs = now;
        String token = "1//0" + randomString(B64, 100);
        refreshTokens.put(token, email);
        tokensByUser.computeIfAbsent(email, k -> new HashSet<>()).add(token);
        out.add(new SeededUser(email, token));
      }
    }
    return out;
  }

  /** Rows seeded per hold of the state lock, so that requests keep being served while a large seed runs. */
  private static final int SEED_CHUNK = 20_000;

  private void seedRows(CalendarData cal, SplittableRandom r, long s, int n, long today, long now) {
    for (int j = 0; j < n; j++) {
      StoredEvent e = cal.newRow(seededId());
      int day = r.nextInt(-30, 60);
      e.seq = s;
      e.etag = ++etagCounter;
      e.createdMs = now - r.nextLong(1, 90L * 86_400_000L);
      e.updatedMs = e.createdMs;
      e.seedSummary = r.nextInt(EventJson.SEED_SUMMARIES.length);
      e.transparent = r.nextInt(10) == 0;
      if (r.nextInt(20) == 0) {
        e.allDay = true;
        long midnight = LocalDate.ofEpochDay(Math.floorDiv(today, 86_400_000L) + day).atStartOfDay(cal.zone)
          .toInstant().toEpochMilli();
        e.startMs = midnight;
        e.endMs = LocalDate.ofEpochDay(Math.floorDiv(today, 86_400_000L) + day + 1).atStartOfDay(cal.zone)
          .toInstant().toEpochMilli();
      } else {
        // business hours in Toronto: 13:00..22:45 UTC is 08:00..17:45 EST (09:00..18:45 EDT)
        e.startMs = today + day * 86_400_000L + (13 + r.nextInt(10)) * 3_600_000L + r.nextInt(4) * 900_000L;
        e.endMs = e.startMs + (1 + r.nextInt(6)) * 900_000L;
      }
      e.durMs = e.endMs - e.startMs;
    }
  }

  private String seededId() {
    long v = ++seedIdCounter;
    char[] c = new char[14];
    c[0] = 's';
    c[1] = 'd';
    for (int i = 13; i >= 2; i--) {
      c[i] = B32[(int) (v & 31)];
      v >>>= 5;
    }
    return new String(c);
  }

  // ---------------------------------------------------------------- events (server-side edits)

  /** The live (non-cancelled) stored events of a calendar, exactly as events.get returns them (copies). */
  public List<JsonObject> groundTruth(String calendarId) {
    synchronized (lock) {
      CalendarData cal = require(calendarId);
      List<JsonObject> out = new ArrayList<>();
      for (StoredEvent e : cal.order) if (!e.cancelled()) out.add(EventJson.render(cal, e).copy());
      return out;
    }
  }

  public JsonObject insertEvent(String calendarId, JsonObject event) {
    JsonObject out;
    CalendarData cal;
    synchronized (lock) {
      cal = require(calendarId);
      out = insert(cal, event, System.currentTimeMillis());
    }
    notifier.changed(cal);
    return out.copy();
  }

  public JsonObject patchEvent(String calendarId, String eventId, JsonObject patch) {
    JsonObject out;
    CalendarData cal;
    synchronized (lock) {
      cal = require(calendarId);
      out = modify(cal, eventId, patch, null, true, System.currentTimeMillis());
    }
    notifier.changed(cal);
    return out.copy();
  }

  public void deleteEvent(String calendarId, String eventId) {
    CalendarData cal;
    synchronized (lock) {
      cal = require(calendarId);
      delete(cal, eventId, null, System.currentTimeMillis());
    }
    notifier.changed(cal);
  }

  /** The next use of any sync token issued so far for this calendar answers 410 fullSyncRequired. */
  public void invalidateSyncTokens(String calendarId) {
    synchronized (lock) {
      CalendarData cal = require(calendarId);
      cal.lastSeq = nextSeq();
      cal.invalidBefore = cal.lastSeq;
    }
  }

  /**
   * "calendarList &lt;email&gt;" or "events &lt;calendarId&gt;" -> the reason of the 410 that listing's next call with
   * a sync token answers (guarded by lock).
   */
  private final Map<String, String> tokenRefusals = new HashMap<>();

  /**
   * The user's next calendarList.list with a sync token answers 410 with {@code reason} (domain global) instead of
   * the changes: Google documents any 410 on a listing with a sync token as "list in full", whatever its reason.
   */
  public void refuseNextListToken(String email, String reason) {
    synchronized (lock) {
      requireUser(email);
      tokenRefusals.put("calendarList " + email, reason);
    }
  }

  /** As {@link #refuseNextListToken}, for the calendar's next events.list with a sync token. */
  public void refuseNextEventsToken(String calendarId, String reason) {
    synchronized (lock) {
      require(calendarId);
      tokenRefusals.put("events " + calendarId, reason);
    }
  }

  /**
   * The reason set for the listing ("calendarList &lt;email&gt;" or "events &lt;calendarId&gt;") by
   * {@link #refuseNextListToken} or {@link #refuseNextEventsToken}, once (call with lock held), or null.
   */
  String takeTokenRefusal(String listing) {
    return tokenRefusals.remove(listing);
  }

  public FaultProfile faults() { return faults.profile(); }

  /** Installs a profile and restarts the fault random sequence from the seed (same profile, same statuses). */
  public void setFaults(FaultProfile p) { faults.set(p); }

  /** See {@link FaultInjector#failNext}: the next count Calendar API requests answer status (with Retry-After). */
  public void failNext(int count, int status, String retryAfter) { faults.failNext(count, status, retryAfter); }

  public Stats stats() { return stats; }

  public MutationDriver mutationDriver() { return mutationDriver; }

  public List<String> users() {
    synchronized (lock) {
      return new ArrayList<>(lists.users());
    }
  }

  // ---------------------------------------------------------------- internals used by the HTTP layer (lock held)

  private CalendarData require(String calendarId) {
    CalendarData cal = calendars.get(calendarId);
    if (cal == null) throw GoogleErrors.notFound();
    return cal;
  }

  /**
   * The user's calendar list entry for a calendar ("primary": the user's own); a calendar not in the user's list
   * (or removed from it) is 404 notFound, whoever owns it.
   */
  CalendarLists.Entry access(String user, String calendarId) {
    CalendarLists.Entry e = lists.live(user, "primary".equals(calendarId) ? user : calendarId);
    if (e == null) throw GoogleErrors.notFound();
    return e;
  }

  /** A calendar whose events the user may read (reader or more; freeBusyReader is 403). */
  CalendarLists.Entry readable(String user, String calendarId) {
    CalendarLists.Entry e = access(user, calendarId);
    if (!e.atLeast("reader")) throw GoogleErrors.requiredAccessLevel("reader");
    return e;
  }

  /** A calendar whose events the user may change (writer or owner; less is 403 requiredAccessLevel). */
  CalendarData writable(String user, String calendarId) {
    CalendarLists.Entry e = access(user, calendarId);
    if (!e.atLeast("writer")) throw GoogleErrors.requiredAccessLevel("writer");
    return e.cal;
  }

  CalendarData calendarOrNull(String id) { return calendars.get(id); }

  long nextSeq() { return ++seq; }

  long currentSeq() { return seq; }

  String newEventId() { return randomString(B32, 26); }

  private String randomString(char[] alphabet, int n) {
    char[] c = new char[n];
    for (int i = 0; i < n; i++) c[i] = alphabet[rng.nextInt(alphabet.length)];
    return new String(c);
  }

  JsonObject insert(CalendarData cal, JsonObject body, long now) {
    Object idv = body.getValue("id");
    String id;
    if (idv != null) {
      id = String.valueOf(idv);
      if (!EventJson.CLIENT_ID.matcher(id).matches()) throw GoogleErrors.invalidResourceId();
      if (cal.byId.containsKey(id)) throw GoogleErrors.duplicate();
    } else {
      id = newEventId();
    }
    StoredEvent e = new StoredEvent(id, cal.order.size());
    e.createdMs = now;
    EventJson.store(cal, e, body, ++etagCounter, now, true);
    cal.byId.put(id, e);
    cal.order.add(e);
    cal.changed(e, nextSeq(), now);
    return e.data;
  }

  /** update (patch=false, full replace) or patch (merge) of a stored row or of a recurring instance. */
  JsonObject modify(CalendarData cal, String eventId, JsonObject body, String ifMatch, boolean patch, long now) {
    StoredEvent e = cal.byId.get(eventId);
    boolean fresh = false;
    if (e == null) {
      e = instanceRow(cal, eventId, now);
      if (e == null) throw GoogleErrors.notFound();
      fresh = true;
    }
    checkIfMatch(e, ifMatch);
    if (e.data == null) e.data = EventJson.render(cal, e);
    JsonObject client = patch ? EventJson.mergePatch(e.data, body) : body;
    if (!patch) client = withKept(e.data, client);
    EventJson.store(cal, e, client, ++etagCounter, now, false);
    if (fresh) {
      cal.byId.put(e.id, e);
      cal.order.add(e);
    }
    cal.changed(e, nextSeq(), now);
    return e.data;
  }

  /** PUT keeps what a client cannot replace: iCalUID. */
  private static JsonObject withKept(JsonObject old, JsonObject body) {
    JsonObject c = body.copy();
    if (c.getValue("iCalUID") == null && old.getValue("iCalUID") != null) c.put("iCalUID", old.getValue("iCalUID"));
    return c;
  }

  void delete(CalendarData cal, String eventId, String ifMatch, long now) {
    StoredEvent e = cal.byId.get(eventId);
    boolean fresh = false;
    if (e == null) {
      e = instanceRow(cal, eventId, now);
      if (e == null) throw GoogleErrors.notFound();
      fresh = true;
    }
    if (e.cancelled()) throw GoogleErrors.deleted();
    checkIfMatch(e, ifMatch);
    JsonObject d = e.data != null ? e.data : EventJson.render(cal, e);
    e.status = "cancelled";
    e.etag = ++etagCounter;
    e.updatedMs = now;
    e.data = d.copy().put("status", "cancelled").put("etag", EventJson.etag(e.etag)).put("updated", Times.millis(now));
    if (fresh) {
      cal.byId.put(e.id, e);
      cal.order.add(e);
    }
    cal.changed(e, nextSeq(), now);
  }

  /** events.get: stored rows (cancelled too) or a virtual recurring instance. */
  JsonObject get(CalendarData cal, String eventId, long now) {
    StoredEvent e = cal.byId.get(eventId);
    if (e != null) return EventJson.render(cal, e);
    StoredEvent in = instanceRow(cal, eventId, now);
    if (in == null) throw GoogleErrors.notFound();
    return in.data;
  }

  /** An unregistered exception row for the virtual instance {@code instanceId}, or null if no such instance. */
  private StoredEvent instanceRow(CalendarData cal, String instanceId, long now) {
    int us = instanceId.lastIndexOf('_');
    if (us <= 0) return null;
    StoredEvent master = cal.byId.get(instanceId.substring(0, us));
    if (master == null || !master.isMaster()) return null;
    EventJson.Instance in = EventJson.findInstance(cal, master, instanceId, now);
    if (in == null) return null;
    StoredEvent e = new StoredEvent(instanceId, cal.order.size());
    e.recurringEventId = master.id;
    e.originalStartMs = in.startMs();
    e.createdMs = master.createdMs;
    e.updatedMs = master.updatedMs;
    e.etag = master.etag;
    e.status = master.status;
    e.startMs = in.startMs();
    e.endMs = in.endMs();
    e.durMs = master.durMs;
    e.allDay = master.allDay;
    e.transparent = master.transparent;
    e.sequence = master.sequence;
    e.data = EventJson.instanceJson(cal, master, in);
    return e;
  }

  private static void checkIfMatch(StoredEvent e, String ifMatch) {
    if (ifMatch == null || ifMatch.equals("*")) return;
    if (!ifMatch.equals(EventJson.etag(e.etag))) throw GoogleErrors.conditionNotMet();
  }

  /** Current etag string of a row (for If-None-Match), or null when unknown. */
  String etagOf(CalendarData cal, String eventId) {
    StoredEvent e = cal.byId.get(eventId);
    return e == null ? null : EventJson.etag(e.etag);
  }

  Map<String, Object> debugCounts() {
    synchronized (lock) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("users", lists.users().size());
      m.put("calendars", calendarList.size());
      m.put("refreshTokens", refreshTokens.size());
      m.put("accessTokens", accessTokens.size());
      long events = 0;
      for (CalendarData c : calendarList) events += c.order.size();
      m.put("eventRows", events);
      return m;
    }
  }
}
