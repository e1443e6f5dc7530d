package org.calsync.compliance;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.db.JobQueue;
import org.calsync.emulator.FaultProfile;
import org.calsync.emulator.SeededUser;
import org.calsync.scheduler.SchedulerTasks;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.calsync.support.Harnesses;
import org.calsync.token.Connections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * A full run (refreshes, rotated refresh tokens, 401 forced refresh, network faults: connection resets and responses
 * slower than the client timeout on the Calendar API and resets on the token endpoint, invalid_grant, disconnect,
 * token health) logs no access token, refresh token or client secret and leaves none in plaintext in any column of any
 * table; nor does any sync token, page token or request URI reach the logs, failed_jobs, jobs.last_error,
 * user_integrations.response_data or audit_log. Event text is stored only when sync.storeEventText is true.
 */
@ExtendWith(HarnessExtension.class)
class SecretsHygieneTest {
  private static final String CLIENT_SECRET = "calsync-local-secret";
  private static final String PRIVATE_SUMMARY = "Consult J. Doe private-summary-7f3a";
  private static final String PRIVATE_DESCRIPTION = "diagnosis private-description-9c1e";

  private Harness h;
  private ListAppender<ILoggingEvent> logs;
  private Level rootLevel;
  private final Set<String> secrets = new HashSet<>();
  /** Sync tokens and request-URI fragments: legitimately in calendars.sync_token, nowhere else. */
  private final Set<String> cursors = new HashSet<>(Set.of("syncToken=", "pageToken=", "/calendar/v3/"));
  /** jobs.last_error as observed while jobs were waiting for a retry (the rows go once the job settles). */
  private final List<String> jobErrors = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    if (logs != null) {
      Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      root.detachAppender(logs);
      root.setLevel(rootLevel);
    }
  }

  private void captureLogs() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    rootLevel = root.getLevel();
    root.setLevel(Level.DEBUG);
    logs = new ListAppender<>();
    logs.setContext(root.getLoggerContext());
    logs.start();
    root.addAppender(logs);
  }

  private List<String> logText() {
    List<String> out = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(logs.list)) {
      StringBuilder sb = new StringBuilder(e.getLoggerName()).append(' ').append(e.getFormattedMessage());
      if (e.getArgumentArray() != null) for (Object a : e.getArgumentArray()) sb.append(' ').append(a);
      if (e.getThrowableProxy() != null) sb.append(' ').append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
      e.getMDCPropertyMap().forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
      if (e.getKeyValuePairs() != null) e.getKeyValuePairs().forEach(kv -> sb.append(' ').append(kv.key).append('=').append(kv.value));
      out.add(sb.toString());
    }
    return out;
  }

  /** Every credential currently stored, decrypted (the plaintext the daemon must never show). */
  private void collectStoredSecrets() {
    for (Row r : h.query("SELECT id, key_id, credentials FROM user_integrations WHERE credentials IS NOT NULL")) {
      JsonObject c = h.cipher.open(r.getLong(0), r.getString(1), r.getBuffer(2).getBytes());
      c.forEach(e -> secrets.add(String.valueOf(e.getValue())));
    }
  }

  private void collectSyncTokens() {
    for (Row r : h.query("SELECT sync_token FROM calendars WHERE sync_token IS NOT NULL")) {
      cursors.add(r.getString(0));
      cursors.add(java.net.URLEncoder.encode(r.getString(0), StandardCharsets.UTF_8));
    }
  }

  /** Queues every active integration and waits for the queue to drain, recording jobs.last_error meanwhile. */
  private void runCycleWatchingJobErrors() {
    new SchedulerTasks(h.vertx, h.config, h.pool()).dispatchCycle(null, 0, JobQueue.PRIORITY_MANUAL).await();
    long deadline = System.currentTimeMillis() + 120_000;
    while (h.count("SELECT count(*) FROM jobs") > 0) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError("queue not drained");
      for (Row r : h.query("SELECT last_error FROM jobs WHERE last_error IS NOT NULL")) jobErrors.add(r.getString(0));
      Harness.sleep(20);
    }
  }

  /** The places that keep error text: failed_jobs, jobs.last_error (as observed), response_data, audit_log. */
  private List<String> errorPlaces() {
    List<String> out = new ArrayList<>(jobErrors);
    for (Row r : h.query("SELECT error_class || ' ' || error FROM failed_jobs")) out.add("failed_jobs " + r.getString(0));
    for (Row r : h.query("SELECT response_data::text FROM user_integrations WHERE response_data IS NOT NULL")) {
      out.add("response_data " + r.getString(0));
    }
    for (Row r : h.query("SELECT action || ' ' || detail::text FROM audit_log")) out.add("audit_log " + r.getString(0));
    return out;
  }

  private Map<String, Long> connect(int users) {
    Map<String, Long> ids = new java.util.TreeMap<>();
    Connections c = new Connections(h.vertx, h.pool(), h.cipher);
    long userId = 1;
    for (SeededUser u : h.emulator.state().seed(users, 20)) {
      secrets.add(u.refreshToken());
      cursors.add(u.email().replace("@", "%40"));
      ids.put(u.email(), c.connect(userId++, u.email(), u.refreshToken()).await());
      h.emulator.state().insertEvent(u.email(), new JsonObject().put("summary", PRIVATE_SUMMARY).put("description", PRIVATE_DESCRIPTION)
          .put("start", new JsonObject().put("dateTime", "2026-10-01T10:00:00Z")).put("end", new JsonObject().put("dateTime", "2026-10-01T11:00:00Z")));
    }
    return ids;
  }

  /** Columns of every table that can hold text: the "DB dump". Returns "table.column" of each value holding a secret. */
  private List<String> scanDatabase(Set<String> needles) {
    List<String> hits = new ArrayList<>();
    List<Row> columns = h.query("SELECT table_name, column_name, data_type FROM information_schema.columns "
        + "WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'bytea', 'jsonb', 'json', 'character')");
    assertThat(columns).extracting(r -> r.getString(0) + "." + r.getString(1))
        .contains("user_integrations.credentials", "audit_log.detail", "calendar_events.summary", "user_integrations.response_data");
    for (Row col : columns) {
      String table = col.getString(0);
      String column = col.getString(1);
      boolean bytea = "bytea".equals(col.getString(2));
      String sql = "SELECT \"" + column + "\"" + (bytea ? "" : "::text") + " FROM \"" + table + "\" WHERE \"" + column + "\" IS NOT NULL";
      for (Row r : h.query(sql)) {
        String value = bytea ? new String(r.getBuffer(0).getBytes(), StandardCharsets.ISO_8859_1) : r.getString(0);
        for (String n : needles) if (value.contains(n)) hits.add(table + "." + column);
      }
    }
    return hits;
  }

  @Test
  void fullRunLeavesNoSecretInLogsOrDatabase(Harnesses worlds) {
    captureLogs();
    // A short client timeout (the emulator's slow responses outlast it) and small pages (listings carry page tokens).
    h = worlds.open().configure(new JsonObject().put("google", new JsonObject().put("requestTimeoutMs", 1000))
        .put("sync", new JsonObject().put("pageSize", 5).put("maxAttempts", 2)));
    h.start(new App.Parts(true, false, false));
    // Every access token handed out on the bus is a secret too.
    h.vertx.eventBus().addOutboundInterceptor(ctx -> {
      if (ctx.body() instanceof JsonObject b && b.getValue("accessToken") instanceof String t) secrets.add(t);
      ctx.next();
    });
    Map<String, Long> ids = connect(4);
    List<String> emails = new ArrayList<>(ids.keySet());

    h.emulator.state().rotateRefreshTokens(true);
    h.runCycle();
    collectStoredSecrets();
    h.emulator.state().rotateRefreshTokens(false);
    h.emulator.state().expireAccessTokens();
    h.runCycle();
    collectStoredSecrets();
    collectSyncTokens();

    // Network faults on the Calendar API: incremental listings (syncToken) and, after 410, full ones (pageToken).
    h.emulator.state().setFaults(FaultProfile.none().withConnectionReset(0.2).withSlow(0.6, 1500)
        .withPaths(Set.of("calendars", "users")));
    runCycleWatchingJobErrors();
    for (String email : emails) h.emulator.state().invalidateSyncTokens(email);
    runCycleWatchingJobErrors();
    // Resets on the token endpoint (before Google handles the request, so no refresh is lost).
    h.emulator.state().setFaults(FaultProfile.none().withConnectionReset(0.5).withPaths(Set.of("token")));
    h.emulator.state().expireAccessTokens();
    runCycleWatchingJobErrors();
    h.emulator.state().setFaults(FaultProfile.none());
    h.runCycle();
    collectStoredSecrets();
    collectSyncTokens();
    assertThat(h.emulator.state().stats().faultsInjected()).isPositive();
    h.emulator.state().revokeUser(emails.get(0));
    h.emulator.state().expireAccessTokens();
    h.runCycle();
    collectStoredSecrets();
    new SchedulerTasks(h.vertx, h.config, h.pool()).tokenHealth().await();
    collectStoredSecrets();
    JsonObject erased = h.vertx.eventBus().<JsonObject>request(Addresses.INTEGRATION_DISCONNECT,
        new JsonObject().put("integrationId", ids.get(emails.get(1)))).await().body();
    assertThat(erased.getString("revoke")).isEqualTo("revoked");
    h.runCycle();
    collectStoredSecrets();
    Harness.await("every token refresh audited", () -> h.count("SELECT count(*) FROM audit_log WHERE action = 'token.refreshed'")
        >= h.emulator.state().stats().tokenRefreshes());

    long accessTokens = secrets.stream().filter(s -> s.startsWith("ya29.")).count();
    long refreshTokens = secrets.stream().filter(s -> s.startsWith("1//")).count();
    assertThat(accessTokens).as("access tokens seen").isGreaterThanOrEqualTo(8);
    assertThat(refreshTokens).as("refresh tokens: seeded and rotated").isGreaterThanOrEqualTo(8);
    assertThat(h.emulator.state().stats().requests(" 401")).isPositive();
    secrets.add(CLIENT_SECRET);

    // The scan finds a planted secret, so an empty result means something.
    String planted = secrets.stream().filter(s -> s.startsWith("ya29.")).findFirst().orElseThrow();
    LoggerFactory.getLogger("planted").debug("token={}", planted);
    assertThat(logText()).anyMatch(l -> l.contains(planted));
    logs.list.removeIf(e -> "planted".equals(e.getLoggerName()));

    List<String> lines = logText();
    assertThat(lines.size()).as("log lines captured").isGreaterThan(50);
    System.out.println("hygiene scan: " + lines.size() + " log lines (DEBUG), " + accessTokens + " access tokens, " + refreshTokens
        + " refresh tokens, client secret");
    for (String line : lines) {
      for (String s : secrets) assertThat(line).as("log line leaks a secret").doesNotContain(s);
    }
    assertThat(scanDatabase(secrets)).as("plaintext secrets in the database").isEmpty();
    // The faults surfaced as errors in every place that keeps them, and none of them carries a cursor or a URI.
    List<String> errors = errorPlaces();
    assertThat(jobErrors).as("jobs waited for a retry after network errors").isNotEmpty();
    assertThat(errors).as("timeouts recorded").anyMatch(e -> e.contains("TimeoutException"));
    assertThat(errors).as("resets recorded").anyMatch(e -> e.contains("token endpoint unreachable"));
    assertThat(h.count("SELECT count(*) FROM failed_jobs WHERE error_class = 'google.transient.network'"))
        .as("syncs that failed on the network").isPositive();
    System.out.println("hygiene scan: " + errors.size() + " stored error texts, " + cursors.size() + " sync tokens and URI fragments");
    for (String e : errors) {
      for (String s : secrets) assertThat(e).as("stored error leaks a secret").doesNotContain(s);
      for (String c : cursors) assertThat(e).as("stored error leaks a cursor or URI").doesNotContain(c);
    }
    for (String line : lines) for (String c : cursors) assertThat(line).as("log line leaks a cursor or URI").doesNotContain(c);
    // Event text is not stored by default (busy time only), nowhere.
    assertThat(scanDatabase(Set.of(PRIVATE_SUMMARY, PRIVATE_DESCRIPTION))).isEmpty();
    assertThat(h.count("SELECT count(*) FROM calendar_events WHERE summary IS NOT NULL")).isZero();
    for (String line : lines) assertThat(line).doesNotContain(PRIVATE_SUMMARY).doesNotContain(PRIVATE_DESCRIPTION);

    // The audit trail records each Google call's outcome per sync, and the token refreshes.
    List<String> details = h.query("SELECT detail FROM audit_log WHERE action = 'sync.synced'").stream().map(r -> r.getString(0)).toList();
    assertThat(details).isNotEmpty().allSatisfy(d -> assertThat(new JsonObject(d).getJsonObject("googleCallsByStatus").getMap()).containsKey("200"));
    assertThat(details).anySatisfy(d -> assertThat(new JsonObject(d).getJsonObject("googleCallsByStatus").getInteger("401 authError")).isEqualTo(1));
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'token.refreshed'"))
        .isEqualTo(h.emulator.state().stats().tokenRefreshes());
  }

  @Test
  void eventSummariesAreStoredOnlyWhenConfigured(Harness harness) {
    h = harness.configure(new JsonObject().put("sync", new JsonObject().put("storeEventText", true)));
    h.start(new App.Parts(true, false, false));
    connect(2);
    h.runCycle();
    assertThat(h.count("SELECT count(*) FROM calendar_events WHERE summary = $1", PRIVATE_SUMMARY)).isEqualTo(2);
    assertThat(scanDatabase(Set.of(PRIVATE_DESCRIPTION))).as("descriptions are never stored").isEmpty();
  }
}
