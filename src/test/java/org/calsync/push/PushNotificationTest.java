package org.calsync.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.db.JobQueue;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.calsync.token.Connections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Push notifications end to end: the emulator's real web-hook deliveries over HTTP to the ops server's
 * /webhooks/google, channels in PostgreSQL, jobs picked up by the real sync workers. No scheduler (no polling cycle)
 * unless a test runs one explicitly.
 */
@ExtendWith(HarnessExtension.class)
class PushNotificationTest {
  private Harness h;
  private WebClient web;
  private int port;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness;
  }

  @AfterEach
  void tearDown() {
    if (web != null) web.close();
  }

  /** Workers + ops + push; push.webhookUrl points at the webhook listener's port (chosen free before start). */
  private void start(JsonObject push) {
    port = Harness.freePort();
    h.configure(new JsonObject()
        .put("push", new JsonObject().put("enabled", true).put("webhookUrl", "http://127.0.0.1:" + port + "/webhooks/google")
            .put("listenPort", port).put("checkSeconds", 1).put("debounceMs", 1500).mergeIn(push)));
    h.start(new App.Parts(true, false, true));
    assertThat(h.app.webhookPort()).isEqualTo(port);
    web = WebClient.create(h.vertx);
  }

  // ------------------------------------------------------------------------------------------------ channels + intake

  @Test
  void channelPerCalendarAfterFirstSyncAndAChangeConvergesThroughAPushPriorityJob() {
    start(new JsonObject());
    Map<String, Long> ids = h.connectSeeded(3, 5);
    h.runCycle();
    awaitLiveChannels(3);
    Harness.await("sync message per channel", () -> count("sync") >= 3);

    assertThat(h.emulator.state().stats().requests("events.watch 200")).isEqualTo(3);
    List<Row> rows = h.query("SELECT p.calendar_id, p.resource_id, length(p.token_hash), p.expires_at > now() + interval '6 days' "
        + "FROM push_channels p WHERE p.stopped_at IS NULL ORDER BY p.calendar_id");
    assertThat(rows).hasSize(3);
    assertThat(rows.stream().map(r -> r.getLong(0)).distinct()).as("one per calendar").hasSize(3);
    for (Row r : rows) {
      assertThat(r.getString(1)).isNotBlank();
      assertThat(r.getInteger(2)).as("only a SHA-256 is stored").isEqualTo(32);
      assertThat(r.getBoolean(3)).as("default ttl of 7 days").isTrue();
    }

    String cal = ids.keySet().stream().sorted().findFirst().orElseThrow();
    long integration = ids.get(cal);
    h.emulator.state().insertEvent(cal, event("2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z"));
    // the job is due at once (leading edge) and may be claimed and settled before a poll of jobs sees it: the webhook's
    // "queued" outcome and the convergence without a cycle are what show it
    Harness.await("the notification queued a push-priority job", () -> count("queued") >= 1);
    Harness.await("mirror converged without a polling cycle", () -> h.mirrored(cal).equals(h.truth(cal)));
    // the mirror commits with the sync; response_data follows when the worker settles its batch
    Harness.await("the push-priority sync settled as an incremental one", () -> h.query(
        "SELECT 1 FROM jobs WHERE integration_id = $1", integration).isEmpty()
        && Boolean.FALSE.equals(h.responseData(integration).getBoolean("fullSync")));
    assertThat(h.count("SELECT count(*) FROM failed_jobs")).isZero();
  }

  @Test
  void forgedUnknownAndMalformedNotificationsAreRefusedWithNothingQueued() {
    start(new JsonObject());
    h.connectSeeded(1, 3);
    h.runCycle();
    awaitLiveChannels(1);
    Row ch = h.query("SELECT id, resource_id FROM push_channels WHERE stopped_at IS NULL").get(0);
    String id = ch.getString(0);
    String resource = ch.getString(1);

    assertThat(post(id, resource, "not-the-token", "exists", 99)).isEqualTo(401);
    assertThat(post(id, resource, null, "exists", 100)).isEqualTo(401);
    assertThat(post("4ba78bf0-6a47-11e2-bcfd-0800200c9a66", resource, "x", "exists", 5)).as("unknown channel").isEqualTo(404);
    assertThat(post(null, resource, "x", "exists", 5)).as("no channel id").isEqualTo(400);
    assertThat(post(id, null, "x", "exists", 5)).as("no resource id").isEqualTo(400);
    assertThat(post(id, resource, "x", null, 5)).as("no state").isEqualTo(400);
    assertThat(send(request(id, resource, "x", "exists").putHeader("X-Goog-Message-Number", "ten"))).isEqualTo(400);

    assertThat(h.count("SELECT count(*) FROM jobs")).isZero();
    assertThat(count("forged")).isEqualTo(2);
    assertThat(count("unknown_channel")).isEqualTo(1);
    assertThat(count("bad_request")).isEqualTo(4);
    Harness.await("forgeries audited", () -> h.count("SELECT count(*) FROM audit_log WHERE action = 'push.webhook_refused'") == 2);
    List<Row> audit = h.query("SELECT detail FROM audit_log WHERE action = 'push.webhook_refused' ORDER BY id");
    assertThat(audit.get(0).getString(0)).contains(id).contains("token_mismatch").doesNotContain("not-the-token");
    assertThat(audit.get(1).getString(0)).contains("missing_token");
    assertThat(h.longValue("SELECT last_message_number FROM push_channels WHERE id = $1", id))
        .as("forgeries do not advance the message number").isLessThan(99);
  }

  @Test
  void stoppedExpiredAndWrongResourceChannelsAreRefused() {
    start(new JsonObject().put("debounceMs", 600_000));
    Map<String, Long> ids = h.connectSeeded(1, 3);
    h.runCycle();
    awaitLiveChannels(1);
    long calendar = h.longValue("SELECT id FROM calendars");
    insertChannel("stopped-1", calendar, "tok-s", "res-1", "now() + interval '1 day'", "now()");
    insertChannel("expired-1", calendar, "tok-e", "res-1", "now() - interval '1 second'", null);
    insertChannel("live-1", calendar, "tok-l", "res-1", "now() + interval '1 day'", null);

    assertThat(post("stopped-1", "res-1", "tok-s", "exists", 5)).isEqualTo(410);
    assertThat(post("expired-1", "res-1", "tok-e", "exists", 5)).isEqualTo(410);
    assertThat(post("live-1", "res-other", "tok-l", "exists", 5)).as("token right, resource wrong").isEqualTo(403);
    assertThat(h.count("SELECT count(*) FROM jobs")).isZero();

    // A real channel stopped on our side: the emulator still delivers, we refuse and queue nothing.
    h.query("UPDATE push_channels SET stopped_at = now(), stop_reason = 'test' WHERE id NOT IN ('live-1', 'expired-1', 'stopped-1')");
    double refused = count("stopped_channel");
    String cal = ids.keySet().iterator().next();
    h.emulator.state().insertEvent(cal, event("2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z"));
    Harness.await("emulator delivery refused", () -> count("stopped_channel") > refused);
    assertThat(h.count("SELECT count(*) FROM jobs")).isZero();
    assertThat(count("resource_mismatch")).isEqualTo(1);
  }

  @Test
  void replayedOrOlderMessageNumbersAreIgnored() {
    start(new JsonObject().put("debounceMs", 600_000));
    h.connectSeeded(1, 3);
    h.runCycle();
    long calendar = h.longValue("SELECT id FROM calendars");
    insertChannel("replay-1", calendar, "tok-r", "res-r", "now() + interval '1 day'", null);

    assertThat(post("replay-1", "res-r", "tok-r", "sync", 1)).isEqualTo(200);
    assertThat(jobs()).as("sync message queues nothing").isZero();
    assertThat(post("replay-1", "res-r", "tok-r", "exists", 5)).isEqualTo(200);
    assertThat(count("queued")).isEqualTo(1);
    h.awaitQueueDrained(30);

    assertThat(post("replay-1", "res-r", "tok-r", "exists", 5)).as("replay acknowledged").isEqualTo(200);
    assertThat(post("replay-1", "res-r", "tok-r", "exists", 3)).as("older acknowledged").isEqualTo(200);
    assertThat(jobs()).as("nothing queued for replays").isZero();
    assertThat(count("replay")).isEqualTo(2);
    assertThat(post("replay-1", "res-r", "tok-r", "exists", 8)).isEqualTo(200);
    List<Row> job = h.query("SELECT priority, available_at > now() + interval '60 seconds' FROM jobs");
    assertThat(job).as("queued before the 200").hasSize(1);
    assertThat(job.get(0).getInteger(0)).isEqualTo(5);
    assertThat(job.get(0).getBoolean(1)).as("within push.debounceMs of the last push sync: due debounceMs after it").isTrue();
  }

  @Test
  void notificationsArrivingTogetherAreAllQueuedAndRecorded() {
    start(new JsonObject().put("debounceMs", 600_000));
    h.connectSeeded(1, 3);
    h.runCycle();
    long calendar = h.longValue("SELECT id FROM calendars");
    List<io.vertx.core.Future<HttpResponse<Buffer>>> sent = new java.util.ArrayList<>();
    for (int c = 0; c < 4; c++) {
      insertChannel("together-" + c, calendar, "tok-" + c, "res-t", "now() + interval '1 day'", null);
    }
    for (int n = 2; n <= 6; n++) {
      for (int c = 0; c < 4; c++) {
        sent.add(request("together-" + c, "res-t", "tok-" + c, "exists").putHeader("X-Goog-Message-Number", Long.toString(n)).send());
      }
    }
    for (var f : sent) assertThat(f.await().statusCode()).isEqualTo(200);
    assertThat(jobs()).as("one job for the integration").isEqualTo(1);
    assertThat(h.count("SELECT count(*) FROM push_channels WHERE id LIKE 'together-%' AND last_message_number = 6"))
        .as("each channel's largest number recorded").isEqualTo(4);
  }

  @Test
  void theWebhookAnswersWhileTheSharedPoolIsExhausted() {
    start(new JsonObject().put("debounceMs", 600_000));
    h.connectSeeded(1, 3);
    h.runCycle();
    long calendar = h.longValue("SELECT id FROM calendars");
    insertChannel("own-pool-1", calendar, "tok-o", "res-o", "now() + interval '1 day'", null);
    List<io.vertx.sqlclient.SqlConnection> held = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < h.config.db().poolSize(); i++) held.add(h.pool().getConnection().await());
      assertThat(send(request("own-pool-1", "res-o", "tok-o", "exists").putHeader("X-Goog-Message-Number", "2").timeout(20_000)))
          .as("stored through the webhook's own pool").isEqualTo(200);
      assertThat(count("queued")).isEqualTo(1);
    } finally {
      held.forEach(c -> c.close());
    }
    assertThat(h.longValue("SELECT last_message_number FROM push_channels WHERE id = 'own-pool-1'")).isEqualTo(2);
  }

  @Test
  void aNotificationOnAnIdleIntegrationSyncsAtOnceAndABurstAfterItWaitsForOneLaterSync() {
    start(new JsonObject().put("debounceMs", 600_000));
    Map<String, Long> ids = h.connectSeeded(1, 3);
    h.runCycle();
    awaitLiveChannels(1);
    Harness.await("sync message", () -> count("sync") >= 1);
    String cal = ids.keySet().iterator().next();
    long integration = ids.get(cal);
    List<JsonObject> completed = new CopyOnWriteArrayList<>();
    h.vertx.eventBus().<JsonObject>consumer(Addresses.SYNC_COMPLETED, m -> {
      if (m.body().getLong("integrationId") == integration) completed.add(m.body());
    }).completion().await();

    h.emulator.state().insertEvent(cal, event("2026-12-20T09:00:00Z", "2026-12-20T10:00:00Z"));
    Harness.await("synced at once, not after the 10-minute debounce", () -> h.mirrored(cal).equals(h.truth(cal)));
    h.awaitQueueDrained(30);
    assertThat(completed).hasSize(1);

    double before = count("queued") + count("replay");
    for (int i = 0; i < 10; i++) {
      h.emulator.state().insertEvent(cal, event("2026-12-2" + i + "T11:00:00Z", "2026-12-2" + i + "T12:00:00Z"));
    }
    Harness.await("all ten notifications handled", () -> count("queued") + count("replay") >= before + 10);
    List<Row> job = h.query("SELECT priority, available_at > now() + interval '60 seconds' FROM jobs WHERE integration_id = $1",
        integration);
    assertThat(job).as("one job for the burst").hasSize(1);
    assertThat(job.get(0).getInteger(0)).isEqualTo(JobQueue.PRIORITY_PUSH);
    assertThat(job.get(0).getBoolean(1)).as("due push.debounceMs after the previous push sync").isTrue();
    assertThat(completed).as("no further sync before then").hasSize(1);
  }

  @Test
  void aBurstOfChangesCoalescesIntoAFewSyncs() {
    start(new JsonObject().put("debounceMs", 3000));
    Map<String, Long> ids = h.connectSeeded(2, 4);
    h.runCycle();
    awaitLiveChannels(2);
    Harness.await("sync messages", () -> count("sync") >= 2);
    String cal = ids.keySet().stream().sorted().findFirst().orElseThrow();
    long integration = ids.get(cal);
    List<JsonObject> completed = new CopyOnWriteArrayList<>();
    h.vertx.eventBus().<JsonObject>consumer(Addresses.SYNC_COMPLETED, m -> {
      if (m.body().getLong("integrationId") == integration) completed.add(m.body());
    }).completion().await();

    double before = count("queued") + count("replay");
    for (int i = 0; i < 6; i++) {
      h.emulator.state().insertEvent(cal, event("2026-12-1" + i + "T09:00:00Z", "2026-12-1" + i + "T10:00:00Z"));
    }
    Harness.await("all six notifications handled", () -> count("queued") + count("replay") >= before + 6);
    Harness.await("mirror converged", () -> h.mirrored(cal).equals(h.truth(cal)));
    h.awaitQueueDrained(30);
    // the first notification syncs at once; the rest join the waiting job, or make the running one run once more
    // (not before push.debounceMs after the first), or queue one sync push.debounceMs after the first
    assertThat(completed).as("the burst coalesced").hasSizeBetween(1, 2);
    assertThat(completed).allSatisfy(c -> assertThat(c.getString("outcome")).isEqualTo("synced"));
  }

  // ------------------------------------------------------------------------------------------------ lifecycle

  @Test
  void channelsAreRenewedBeforeExpiryAndTheOldOneIsStoppedWhenItExpires() {
    start(new JsonObject().put("ttlSeconds", 6).put("renewBeforeSeconds", 3));
    Map<String, Long> ids = h.connectSeeded(1, 3);
    h.runCycle();
    awaitLiveChannels(1);
    String first = h.query("SELECT id FROM push_channels ORDER BY created_at LIMIT 1").get(0).getString(0);

    Harness.await("first channel stopped as renewed", () -> "renewed".equals(
        h.query("SELECT stop_reason FROM push_channels WHERE id = $1", first).get(0).getString(0)));
    Row old = h.query("SELECT expires_at, stopped_at FROM push_channels WHERE id = $1", first).get(0);
    List<Row> successors = h.query("SELECT id FROM push_channels WHERE id <> $1 AND resource_id IS NOT NULL "
        + "AND created_at < $2", first, old.getOffsetDateTime(0));
    assertThat(successors).as("a successor opened before the old channel expired").isNotEmpty();
    assertThat(old.getOffsetDateTime(1)).as("stopped only once expired").isAfterOrEqualTo(old.getOffsetDateTime(0));
    assertThat(h.emulator.state().stats().requests("channels.stop")).isGreaterThanOrEqualTo(1);
    assertThat(h.runtime.registry().find("calsync.push.channel.ops").tag("op", "stop").tag("outcome", "ok").counter())
        .isNotNull();

    // Notifications keep flowing through the live channel.
    String cal = ids.keySet().iterator().next();
    h.emulator.state().insertEvent(cal, event("2026-12-05T09:00:00Z", "2026-12-05T10:00:00Z"));
    Harness.await("mirror converged after renewal", () -> h.mirrored(cal).equals(h.truth(cal)));
    assertThat(h.runtime.registry().find("calsync.push.channels").tag("state", "active").gauge()).isNotNull();
  }

  @Test
  void needsReconnectStopsTheIntegrationsChannels() {
    start(new JsonObject());
    Map<String, Long> ids = h.connectSeeded(2, 3);
    h.runCycle();
    awaitLiveChannels(2);
    List<String> emails = ids.keySet().stream().sorted().toList();
    String lost = emails.get(0);
    long lostId = ids.get(lost);

    h.emulator.state().revokeUser(lost);
    h.runCycle();
    assertThat(h.query("SELECT status FROM user_integrations WHERE id = $1", lostId).get(0).getString(0)).isEqualTo("needs_reconnect");
    Harness.await("channels of the integration stopped", () -> h.count("SELECT count(*) FROM push_channels p JOIN calendars c "
        + "ON c.id = p.calendar_id WHERE c.integration_id = $1 AND p.stopped_at IS NULL", lostId) == 0);
    assertThat(h.query("SELECT DISTINCT p.stop_reason FROM push_channels p JOIN calendars c ON c.id = p.calendar_id "
        + "WHERE c.integration_id = $1", lostId).get(0).getString(0)).isEqualTo("needs_reconnect");
    assertThat(h.count("SELECT count(*) FROM push_channels p JOIN calendars c ON c.id = p.calendar_id "
        + "WHERE c.integration_id = $1 AND p.stopped_at IS NULL", ids.get(emails.get(1))))
        .as("the other integration keeps its channel").isEqualTo(1);

    double refused = count("stopped_channel");
    h.emulator.state().insertEvent(lost, event("2026-12-06T09:00:00Z", "2026-12-06T10:00:00Z"));
    Harness.await("delivery to the stopped channel refused", () -> count("stopped_channel") > refused);
    assertThat(h.count("SELECT count(*) FROM jobs")).isZero();
    long witness = connectWitness();
    Harness.await("a keeper pass since: the new calendar's channel", () -> h.count("SELECT count(*) FROM push_channels p "
        + "JOIN calendars c ON c.id = p.calendar_id WHERE c.integration_id = $1 AND p.stopped_at IS NULL", witness) == 1);
    assertThat(h.count("SELECT count(*) FROM push_channels p JOIN calendars c ON c.id = p.calendar_id "
        + "WHERE c.integration_id = $1 AND p.stopped_at IS NULL", lostId))
        .as("no new channel for an integration that needs reconnecting").isZero();
  }

  @Test
  void aRefusedWatchIsRecordedBackedOffAndPollingStillSyncs() {
    start(new JsonObject());
    // Google (and the emulator) refuse a webhook address that does not start with https:// (or http:// here).
    h.app.close().await();
    h.config = h.config(new JsonObject()
        .put("push", new JsonObject().put("enabled", true).put("checkSeconds", 1).put("listenPort", port)
            .put("webhookUrl", "HTTP://127.0.0.1:" + port + "/webhooks/google")));
    h.start(new App.Parts(true, false, true));
    Map<String, Long> ids = h.connectSeeded(2, 3);
    h.runCycle();
    Harness.await("watch refused for both calendars", () -> h.count("SELECT count(*) FROM push_channels WHERE stop_reason = 'watch_failed'") == 2);
    long witness = connectWitness();
    Harness.await("a keeper pass since: the new calendar's watch refused", () -> h.count("SELECT count(*) FROM push_channels p "
        + "JOIN calendars c ON c.id = p.calendar_id WHERE c.integration_id = $1 AND p.stop_reason = 'watch_failed'", witness) == 1);
    assertThat(h.count("SELECT count(*) FROM push_channels")).as("not retried at every pass: one per calendar").isEqualTo(3);
    assertThat(h.emulator.state().stats().requests("events.watch 400")).isEqualTo(3);
    assertThat(h.runtime.registry().find("calsync.push.channel.ops").tag("op", "watch").tag("outcome", "failed").counter().count())
        .isEqualTo(3);

    String cal = ids.keySet().iterator().next();
    h.emulator.state().insertEvent(cal, event("2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z"));
    h.runCycle();
    assertThat(h.mirrored(cal)).as("polling remains the fallback").isEqualTo(h.truth(cal));
  }

  // ------------------------------------------------------------------------------------------------ helpers

  /**
   * Connects and syncs one more practitioner; the keeper pass that gives (or tries to give) its calendar a channel
   * looks at every calendar, so it witnesses what that pass did not do for the others.
   */
  private long connectWitness() {
    String email = "witness@clinic.test";
    h.emulator.state().createUser(email);
    long id = new Connections(h.vertx, h.pool(), h.cipher).connect(99, email, h.emulator.state().mintRefreshToken(email)).await();
    h.runCycle();
    return id;
  }

  @Test
  void channelsFollowTheCalendarsThatCountAsBusy() {
    start(new JsonObject());
    Map<String, Long> ids = h.connectSeeded(1, 2);
    String cal = ids.keySet().iterator().next();
    long integration = ids.get(cal);
    String work = h.emulator.state().addCalendar(cal, "Work", null);
    h.emulator.state().createUser("colleague@clinic.test");
    String team = h.emulator.state().addCalendar("colleague@clinic.test", "Team", null);
    h.emulator.state().setListEntry(cal, team, "reader", true);
    h.runCycle();
    awaitLiveChannels(2);
    assertThat(liveChannelCalendars()).containsExactlyInAnyOrder(cal, work);

    h.vertx.eventBus().request(Addresses.CALENDARS_UPDATE, new JsonObject().put("integrationId", integration)
        .put("calendarId", work).put("busy", false)).await();
    Harness.await("Work's channel stopped", () -> !liveChannelCalendars().contains(work));
    assertThat(h.query("SELECT p.stop_reason FROM push_channels p JOIN calendars c ON c.id = p.calendar_id "
        + "WHERE c.google_calendar_id = $1", work).get(0).getString(0)).isEqualTo("calendar_not_busy");
    assertThat(liveChannelCalendars()).containsExactly(cal);
    Harness.await("stopped at Google", () -> h.emulator.state().stats().requests("channels.stop 204") >= 1);
  }

  private List<String> liveChannelCalendars() {
    return h.query("SELECT c.google_calendar_id FROM push_channels p JOIN calendars c ON c.id = p.calendar_id "
        + "WHERE p.stopped_at IS NULL AND p.resource_id IS NOT NULL").stream().map(r -> r.getString(0)).toList();
  }

  private void awaitLiveChannels(int n) {
    Harness.await(n + " live channels", () -> h.count("SELECT count(*) FROM push_channels WHERE stopped_at IS NULL "
        + "AND resource_id IS NOT NULL") >= n);
  }

  private void insertChannel(String id, long calendarId, String token, String resource, String expiresSql, String stoppedSql) {
    h.query("INSERT INTO push_channels (id, calendar_id, resource_id, token_hash, expires_at, stopped_at) VALUES ($1, $2, $3, $4, "
        + expiresSql + ", " + (stoppedSql == null ? "NULL" : stoppedSql) + ")", id, calendarId, resource,
        Buffer.buffer(org.calsync.crypto.Secrets.sha256(token)));
  }

  private long jobs() {
    return h.count("SELECT count(*) FROM jobs");
  }

  private double count(String outcome) {
    Counter c = h.runtime.registry().find("calsync.push.notifications").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  private HttpRequest<Buffer> request(String channel, String resource, String token, String state) {
    HttpRequest<Buffer> req = web.post(port, "127.0.0.1", "/webhooks/google");
    if (channel != null) req.putHeader("X-Goog-Channel-ID", channel);
    if (resource != null) req.putHeader("X-Goog-Resource-ID", resource);
    if (token != null) req.putHeader("X-Goog-Channel-Token", token);
    if (state != null) req.putHeader("X-Goog-Resource-State", state);
    req.putHeader("X-Goog-Resource-URI", "https://www.googleapis.com/calendar/v3/calendars/x/events");
    return req;
  }

  private int post(String channel, String resource, String token, String state, long number) {
    return send(request(channel, resource, token, state).putHeader("X-Goog-Message-Number", Long.toString(number)));
  }

  private static int send(HttpRequest<Buffer> req) {
    return req.send().await().statusCode();
  }

  private static JsonObject event(String start, String end) {
    return new JsonObject().put("summary", "busy").put("start", new JsonObject().put("dateTime", start))
        .put("end", new JsonObject().put("dateTime", end));
  }
}
