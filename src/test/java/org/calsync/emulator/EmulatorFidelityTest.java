package org.calsync.emulator;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;

/** Google behaviours reported in SPEC/ISSUES that clients must survive: 410 on old updatedMin, client mix-ups, etc. */
class EmulatorFidelityTest extends EmulatorTestSupport {
  static final String ALICE = "alice@clinic.test";
  static final String EVENTS = "calendars/primary/events";

  private HttpResponse<Buffer> listUpdatedMin(String token, Instant t) throws Exception {
    return send(api(GET, token, EVENTS + "?updatedMin=" + enc(t.truncatedTo(ChronoUnit.SECONDS).toString())));
  }

  @Test
  void updatedMinOlderThanTheWindowIsGone() throws Exception {
    String token = login(ALICE);
    Instant now = Instant.now();
    HttpResponse<Buffer> old = listUpdatedMin(token, now.minus(29, ChronoUnit.DAYS));
    assertThat(old.statusCode()).isEqualTo(410);
    assertThat(old.bodyAsJsonObject()).isEqualTo(new JsonObject("{\"error\":{\"errors\":[{\"domain\":\"calendar\","
      + "\"reason\":\"updatedMinTooLongAgo\",\"message\":\"The requested minimum modification time lies too far in the past.\","
      + "\"locationType\":\"parameter\",\"location\":\"updatedMin\"}],\"code\":410,"
      + "\"message\":\"The requested minimum modification time lies too far in the past.\"}}"));
    assertThat(listUpdatedMin(token, now.minus(27, ChronoUnit.DAYS)).statusCode()).isEqualTo(200);

    // the window is configurable through the admin API
    HttpResponse<Buffer> set = client.putAbs(emu.baseUrl() + "/admin/updated-min-window")
      .sendJsonObject(new JsonObject().put("days", 1)).await(5, TimeUnit.SECONDS);
    assertThat(set.statusCode()).isEqualTo(204);
    assertThat(listUpdatedMin(token, now.minus(2, ChronoUnit.DAYS)).statusCode()).isEqualTo(410);
    assertThat(listUpdatedMin(token, now.minus(1, ChronoUnit.HOURS)).statusCode()).isEqualTo(200);
  }

  @Test
  void refreshTokenOfAnotherClientIsUnauthorizedClient() throws Exception {
    emu.state().createUser(ALICE);
    HttpResponse<Buffer> reg = client.postAbs(emu.baseUrl() + "/admin/clients")
      .sendJsonObject(new JsonObject().put("clientId", "other-app").put("clientSecret", "other-secret")).await(5, TimeUnit.SECONDS);
    assertThat(reg.statusCode()).isEqualTo(204);
    String defaultToken = emu.state().mintRefreshToken(ALICE);
    HttpResponse<Buffer> minted = client.postAbs(emu.baseUrl() + "/admin/users/" + enc(ALICE) + "/refresh-tokens")
      .sendJsonObject(new JsonObject().put("clientId", "other-app")).await(5, TimeUnit.SECONDS);
    assertThat(minted.statusCode()).isEqualTo(200);
    String otherToken = minted.bodyAsJsonObject().getString("refreshToken");
    MultiMap asOther = MultiMap.caseInsensitiveMultiMap().add("grant_type", "refresh_token").add("client_id", "other-app")
      .add("client_secret", "other-secret");

    // default client token, presented by the other registered client
    HttpResponse<Buffer> wrong = tokenRequest(MultiMap.caseInsensitiveMultiMap().addAll(asOther).add("refresh_token", defaultToken));
    assertThat(wrong.statusCode()).isEqualTo(400);
    assertThat(wrong.bodyAsJsonObject()).isEqualTo(new JsonObject()
      .put("error", "unauthorized_client").put("error_description", "Unauthorized"));
    // and the other way round
    HttpResponse<Buffer> wrong2 = tokenRequest(refreshForm(otherToken));
    assertThat(wrong2.statusCode()).isEqualTo(400);
    assertThat(wrong2.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized_client");

    // each token works with its own client; the default client is unchanged
    assertThat(tokenRequest(refreshForm(defaultToken)).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> ok = tokenRequest(MultiMap.caseInsensitiveMultiMap().addAll(asOther).add("refresh_token", otherToken));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(send(api(GET, ok.bodyAsJsonObject().getString("access_token"), EVENTS)).statusCode()).isEqualTo(200);
    // a wrong secret for the registered client is still invalid_client; unknown clients are not found
    HttpResponse<Buffer> badSecret = tokenRequest(MultiMap.caseInsensitiveMultiMap().add("grant_type", "refresh_token")
      .add("client_id", "other-app").add("client_secret", "nope").add("refresh_token", otherToken));
    assertThat(badSecret.statusCode()).isEqualTo(401);
    assertThat(badSecret.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
    // a revoked token is invalid_grant whichever client presents it
    emu.state().revokeRefreshToken(otherToken);
    assertThat(tokenRequest(refreshForm(otherToken)).bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void rateLimitIncludesTheQuotaSystemBodyDeterministically() throws Exception {
    String token = login(ALICE);
    emu.state().setFaults(FaultProfile.none().withRateLimit(1.0));
    List<String> first = new ArrayList<>();
    JsonObject quotaSystem = null;
    for (int i = 0; i < 40; i++) {
      HttpResponse<Buffer> r = send(api(GET, token, EVENTS));
      assertThat(r.statusCode()).isIn(403, 429);
      JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
      first.add(r.statusCode() + " " + error.getString("status") + " " + r.getHeader("Retry-After"));
      if ("PERMISSION_DENIED".equals(error.getString("status"))) quotaSystem = r.bodyAsJsonObject();
    }
    String message = "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service "
      + "'calendar-json.googleapis.com' for consumer 'project_number:" + GoogleErrors.PROJECT_NUMBER + "'.";
    assertThat(quotaSystem).isEqualTo(new JsonObject().put("error", new JsonObject().put("code", 403).put("message", message)
      .put("errors", new JsonArray().add(new JsonObject().put("message", message).put("domain", "usageLimits")
        .put("reason", "rateLimitExceeded"))).put("status", "PERMISSION_DENIED")));
    // every variant shows up, and the same seed gives the same sequence
    assertThat(Set.copyOf(first)).contains("403 PERMISSION_DENIED null", "403 null null", "429 null null", "403 null 1", "429 null 2");
    emu.state().setFaults(FaultProfile.none().withRateLimit(1.0));
    List<String> second = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      HttpResponse<Buffer> r = send(api(GET, token, EVENTS));
      second.add(r.statusCode() + " " + r.bodyAsJsonObject().getJsonObject("error").getString("status") + " " + r.getHeader("Retry-After"));
    }
    assertThat(second).isEqualTo(first);
  }

  /** Follows nextPageToken to the end; returns the ids in order and records the page sizes and the final sync token. */
  private List<String> listAll(String token, String query, List<Integer> sizes, String[] syncToken) throws Exception {
    List<String> ids = new ArrayList<>();
    String pageToken = null;
    for (int pages = 0; pages < 500; pages++) {
      String q = query + (pageToken == null ? "" : "&pageToken=" + enc(pageToken));
      HttpResponse<Buffer> r = send(api(GET, token, EVENTS + "?" + q));
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      JsonObject body = r.bodyAsJsonObject();
      body.getJsonArray("items").forEach(o -> ids.add(((JsonObject) o).getString("id")));
      sizes.add(body.getJsonArray("items").size());
      pageToken = body.getString("nextPageToken");
      if (pageToken == null) {
        syncToken[0] = body.getString("nextSyncToken");
        return ids;
      }
      assertThat(body.getString("nextSyncToken")).isNull();
    }
    throw new AssertionError("listing did not end");
  }

  @Test
  void emptyPagesStillCarryATokenAndTheListingIsComplete() throws Exception {
    String token = login(ALICE);
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      created.add(emu.state().insertEvent(ALICE, timed("e" + i, "2026-06-0" + (1 + i % 9) + "T10:00:00Z",
        "2026-06-0" + (1 + i % 9) + "T11:00:00Z")).getString("id"));
    }
    JsonObject profile = FaultProfile.none().withEmptyPages(0.5).toJson();
    assertThat(profile.getDouble("emptyPages")).isEqualTo(0.5);
    HttpResponse<Buffer> put = client.putAbs(emu.baseUrl() + "/admin/faults").sendJsonObject(profile).await(5, TimeUnit.SECONDS);
    assertThat(put.bodyAsJsonObject().getDouble("emptyPages")).isEqualTo(0.5);
    assertThat(emu.state().faults()).isEqualTo(FaultProfile.fromJson(profile));

    List<Integer> sizes = new ArrayList<>();
    String[] sync = new String[1];
    List<String> ids = listAll(token, "maxResults=7", sizes, sync);
    assertThat(ids).containsExactlyElementsOf(created); // complete, no duplicates, creation order
    assertThat(sync[0]).isNotNull();
    // at least one empty page before the end and one short non-empty page, each with a nextPageToken
    assertThat(sizes.subList(0, sizes.size() - 1)).contains(0);
    assertThat(sizes.subList(0, sizes.size() - 1)).anyMatch(n -> n > 0 && n < 7);
    assertThat(sizes).allMatch(n -> n <= 7);

    // deterministic under the seed
    emu.state().setFaults(FaultProfile.none().withEmptyPages(0.5));
    List<Integer> again = new ArrayList<>();
    List<String> ids2 = listAll(token, "maxResults=7", again, new String[1]);
    emu.state().setFaults(FaultProfile.none().withEmptyPages(0.5));
    List<Integer> third = new ArrayList<>();
    listAll(token, "maxResults=7", third, new String[1]);
    assertThat(third).isEqualTo(again);
    assertThat(ids2).containsExactlyElementsOf(created);

    // incremental sync across short pages returns every change exactly once
    List<String> changed = new ArrayList<>();
    for (int i = 0; i < 40; i += 3) {
      emu.state().patchEvent(ALICE, created.get(i), new JsonObject().put("summary", "changed " + i));
      changed.add(created.get(i));
    }
    List<String> delta = listAll(token, "maxResults=4&syncToken=" + enc(sync[0]), new ArrayList<>(), sync);
    assertThat(delta).containsExactlyElementsOf(changed);
    assertThat(sync[0]).isNotNull();

    // sorted listings too; and with every page faulted the listing still ends and is complete
    List<String> sorted = listAll(token, "maxResults=5&singleEvents=true&orderBy=startTime", new ArrayList<>(), new String[1]);
    assertThat(sorted).containsExactlyInAnyOrderElementsOf(created);
    emu.state().setFaults(FaultProfile.none().withEmptyPages(1.0));
    List<Integer> all = new ArrayList<>();
    assertThat(listAll(token, "maxResults=3", all, new String[1])).containsExactlyElementsOf(created);
    assertThat(all.subList(0, all.size() - 1)).allMatch(n -> n < 3);
    assertThat(listAll(token, "maxResults=1", new ArrayList<>(), new String[1])).containsExactlyElementsOf(created);
  }

  @Test
  void aLocalDateTimeComesBackWithItsOffset() throws Exception {
    String token = login(ALICE);
    // 09:00 local on the first Monday of daylight time in Toronto, and 18:00 local in Paris (still standard time)
    JsonObject local = new JsonObject().put("summary", "local")
      .put("start", new JsonObject().put("dateTime", "2026-03-09T09:00:00").put("timeZone", "America/Toronto"))
      .put("end", new JsonObject().put("dateTime", "2026-03-09T18:00:00").put("timeZone", "Europe/Paris"));
    JsonObject created = send(api(POST, token, EVENTS), local).bodyAsJsonObject();

    JsonObject listed = send(api(GET, token, EVENTS)).bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
    for (JsonObject e : List.of(created, listed)) {
      assertThat(e.getJsonObject("start").getString("dateTime")).isEqualTo("2026-03-09T09:00:00-04:00");
      assertThat(e.getJsonObject("start").getString("timeZone")).isEqualTo("America/Toronto");
      assertThat(e.getJsonObject("end").getString("dateTime")).isEqualTo("2026-03-09T18:00:00+01:00");
    }
  }

  @Test
  void exdateAndRdateShapeInstancesListingsAndFreeBusy() throws Exception {
    String token = login(ALICE);
    // daily 09:00 Toronto (13:00Z in June), 5 occurrences June 1..5; June 2 (TZID form) and June 4 (UTC form)
    // excluded; June 10 added
    JsonObject master = send(api(POST, token, EVENTS), timed("daily", "2026-06-01T09:00:00-04:00", "2026-06-01T10:00:00-04:00")
      .put("recurrence", new JsonArray().add("RRULE:FREQ=DAILY;COUNT=5")
        .add("EXDATE;TZID=America/Toronto:20260602T090000").add("EXDATE:20260604T130000Z")
        .add("RDATE;TZID=America/Toronto:20260610T090000"))).bodyAsJsonObject();
    String mid = master.getString("id");
    assertThat(master.getJsonArray("recurrence")).hasSize(4);
    List<String> expected = List.of(mid + "_20260601T130000Z", mid + "_20260603T130000Z", mid + "_20260605T130000Z",
      mid + "_20260610T130000Z");

    HttpResponse<Buffer> inst = send(api(GET, token, EVENTS + "/" + mid + "/instances"));
    assertThat(inst.statusCode()).isEqualTo(200);
    assertThat(ids(inst.bodyAsJsonObject().getJsonArray("items"))).isEqualTo(expected);
    assertThat(inst.bodyAsJsonObject().getJsonArray("items").getJsonObject(3).getJsonObject("start").getString("dateTime"))
      .isEqualTo("2026-06-10T09:00:00-04:00");

    JsonObject single = send(api(GET, token, EVENTS + "?singleEvents=true&orderBy=startTime")).bodyAsJsonObject();
    assertThat(ids(single.getJsonArray("items"))).isEqualTo(expected);
    // an excluded occurrence does not exist
    assertThat(send(api(GET, token, EVENTS + "/" + mid + "_20260602T130000Z")).statusCode()).isEqualTo(404);
    assertThat(send(api(GET, token, EVENTS + "/" + mid + "_20260610T130000Z")).statusCode()).isEqualTo(200);

    HttpResponse<Buffer> fb = send(api(POST, token, "freeBusy"), new JsonObject().put("timeMin", "2026-06-01T00:00:00Z")
      .put("timeMax", "2026-06-12T00:00:00Z").put("items", new JsonArray().add(new JsonObject().put("id", ALICE))));
    JsonArray busy = new JsonArray();
    for (String d : List.of("01", "03", "05", "10")) {
      busy.add(new JsonObject().put("start", "2026-06-" + d + "T13:00:00Z").put("end", "2026-06-" + d + "T14:00:00Z"));
    }
    assertThat(fb.bodyAsJsonObject().getJsonObject("calendars").getJsonObject(ALICE).getJsonArray("busy")).isEqualTo(busy);

    // all-day series with a date EXDATE
    JsonObject allDay = send(api(POST, token, EVENTS), new JsonObject().put("summary", "off")
      .put("start", new JsonObject().put("date", "2026-06-01")).put("end", new JsonObject().put("date", "2026-06-02"))
      .put("recurrence", new JsonArray().add("RRULE:FREQ=WEEKLY;COUNT=3").add("EXDATE;VALUE=DATE:20260608"))).bodyAsJsonObject();
    String aid = allDay.getString("id");
    assertThat(ids(send(api(GET, token, EVENTS + "/" + aid + "/instances")).bodyAsJsonObject().getJsonArray("items")))
      .containsExactly(aid + "_20260601", aid + "_20260615");

    // RDATE periods are not supported: a clear 400, nothing stored
    HttpResponse<Buffer> period = send(api(POST, token, EVENTS), timed("p", "2026-06-01T09:00:00-04:00", "2026-06-01T10:00:00-04:00")
      .put("recurrence", new JsonArray().add("RRULE:FREQ=DAILY;COUNT=2").add("RDATE;VALUE=PERIOD:20260610T130000Z/PT1H")));
    assertThat(period.statusCode()).isEqualTo(400);
    assertThat(emu.state().groundTruth(ALICE)).hasSize(2);
  }

  @Test
  void listingsShowEveryVersionOfAnEvent() throws Exception {
    SeededUser u = emu.state().seed(1, 3).get(0);
    String token = tokenRequest(refreshForm(u.refreshToken())).bodyAsJsonObject().getString("access_token");
    String events = "calendars/primary/events";
    JsonObject first = send(api(GET, token, events)).bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
    String id = first.getString("id");
    assertThat(first).isEqualTo(send(api(GET, token, events + "/" + id)).bodyAsJsonObject());
    assertThat(send(api(GET, token, events)).bodyAsJsonObject().getJsonArray("items").getJsonObject(0)).isEqualTo(first);

    HttpResponse<Buffer> patched = send(api(PATCH, token, events + "/" + id),
      new JsonObject().put("summary", "renamed"));
    assertThat(patched.statusCode()).isEqualTo(200);
    JsonObject second = send(api(GET, token, events)).bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
    assertThat(second.getString("summary")).isEqualTo("renamed");
    assertThat(second.getString("etag")).isNotEqualTo(first.getString("etag"));
    assertThat(second).isEqualTo(patched.bodyAsJsonObject());

    assertThat(send(api(DELETE, token, events + "/" + id)).statusCode()).isEqualTo(204);
    assertThat(ids(send(api(GET, token, events)).bodyAsJsonObject().getJsonArray("items"))).hasSize(2).doesNotContain(id);
    JsonObject third = send(api(GET, token, events + "?showDeleted=true")).bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
    assertThat(third.getString("status")).isEqualTo("cancelled");
    assertThat(third.getString("summary")).isEqualTo("renamed");
  }
}
