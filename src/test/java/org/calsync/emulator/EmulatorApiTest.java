package org.calsync.emulator;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;

class EmulatorApiTest extends EmulatorTestSupport {
  static final String ALICE = "alice@clinic.test";
  static final String EVENTS = "calendars/primary/events";

  @Test
  void refreshTokenGrantAndOAuthErrors() throws Exception {
    emu.state().createUser(ALICE);
    String refresh = emu.state().mintRefreshToken(ALICE);
    assertThat(refresh.length()).isLessThan(512);
    HttpResponse<Buffer> ok = tokenRequest(refreshForm(refresh));
    assertThat(ok.statusCode()).isEqualTo(200);
    JsonObject body = ok.bodyAsJsonObject();
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("access_token", "expires_in", "scope", "token_type");
    assertThat(body.getLong("expires_in")).isEqualTo(3599);
    assertThat(body.getString("token_type")).isEqualTo("Bearer");
    assertThat(body.getString("scope")).isEqualTo("https://www.googleapis.com/auth/calendar");
    assertThat(emu.state().stats().tokenRefreshes()).isEqualTo(1);

    HttpResponse<Buffer> unknown = tokenRequest(refreshForm("1//nope"));
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", "invalid_grant")
      .put("error_description", "Token has been expired or revoked."));

    HttpResponse<Buffer> badClient = tokenRequest(refreshForm(refresh).set("client_id", "other"));
    assertThat(badClient.statusCode()).isEqualTo(401);
    assertThat(badClient.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", "invalid_client")
      .put("error_description", "The OAuth client was not found."));

    // Google: no client id in the form nor a readable Basic header is 400 invalid_request, not invalid_client
    HttpResponse<Buffer> noClient = tokenRequest(refreshForm(refresh).remove("client_id"));
    assertThat(noClient.statusCode()).isEqualTo(400);
    assertThat(noClient.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", "invalid_request")
      .put("error_description", "Could not determine client ID from request."));
    HttpResponse<Buffer> garbledBasic = client.postAbs(emu.baseUrl() + "/token").putHeader("Authorization", "Basic %%%")
      .sendForm(refreshForm(refresh).remove("client_id").remove("client_secret")).await(10, TimeUnit.SECONDS);
    assertThat(garbledBasic.statusCode()).isEqualTo(400);
    assertThat(garbledBasic.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");

    HttpResponse<Buffer> grant = tokenRequest(refreshForm(refresh).set("grant_type", "password"));
    assertThat(grant.statusCode()).isEqualTo(400);
    assertThat(grant.bodyAsJsonObject().getString("error")).isEqualTo("unsupported_grant_type");
    HttpResponse<Buffer> noCode = tokenRequest(refreshForm(refresh).set("grant_type", "authorization_code"));
    assertThat(noCode.statusCode()).isEqualTo(400);
    assertThat(noCode.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", "invalid_request")
      .put("error_description", "Missing required parameter: code"));

    emu.state().revokeRefreshToken(refresh);
    assertThat(tokenRequest(refreshForm(refresh)).bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void revokeEndpointAndAccessTokenExpiry() throws Exception {
    emu.state().createUser(ALICE);
    String refresh = emu.state().mintRefreshToken(ALICE);
    String access = tokenRequest(refreshForm(refresh)).bodyAsJsonObject().getString("access_token");
    assertThat(send(api(GET, access, "users/me/calendarList")).statusCode()).isEqualTo(200);

    assertThat(client.getAbs(emu.baseUrl() + "/revoke?token=" + enc(access)).send().await(5, TimeUnit.SECONDS)
      .statusCode()).isEqualTo(404);
    HttpResponse<Buffer> revoked = client.postAbs(emu.baseUrl() + "/revoke")
      .sendForm(MultiMap.caseInsensitiveMultiMap().add("token", access)).await(5, TimeUnit.SECONDS);
    assertThat(revoked.statusCode()).isEqualTo(200);
    // revoking the access token took its refresh token with it
    assertThat(tokenRequest(refreshForm(refresh)).statusCode()).isEqualTo(400);
    HttpResponse<Buffer> unauth = send(api(GET, access, "users/me/calendarList"));
    assertThat(unauth.statusCode()).isEqualTo(401);
    assertThat(unauth.bodyAsJsonObject()).isEqualTo(new JsonObject("{\"error\":{\"code\":401,\"message\":\"Request had "
      + "invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication "
      + "credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.\",\"errors\":[{\"message\":"
      + "\"Invalid Credentials\",\"domain\":\"global\",\"reason\":\"authError\",\"location\":\"Authorization\","
      + "\"locationType\":\"header\"}],\"status\":\"UNAUTHENTICATED\"}}"));
    assertThat(client.postAbs(emu.baseUrl() + "/revoke?token=unknown").send().await(5, TimeUnit.SECONDS).statusCode())
      .isEqualTo(400);

    String again = login(ALICE);
    assertThat(send(api(GET, again, EVENTS)).statusCode()).isEqualTo(200);
    emu.state().expireAccessTokens();
    assertThat(send(api(GET, again, EVENTS)).statusCode()).isEqualTo(401);
    assertThat(send(api(GET, null, EVENTS)).statusCode()).isEqualTo(401);
  }

  @Test
  void calendarListShowsOnlyOwnPrimaryAndOthersAre404() throws Exception {
    String token = login(ALICE);
    emu.state().createUser("bob@clinic.test");
    JsonObject list = send(api(GET, token, "users/me/calendarList")).bodyAsJsonObject();
    assertThat(list.getString("kind")).isEqualTo("calendar#calendarList");
    assertThat(list.getString("nextSyncToken")).isNotBlank();
    JsonObject entry = list.getJsonArray("items").getJsonObject(0);
    assertThat(list.getJsonArray("items")).hasSize(1);
    assertThat(entry.getString("kind")).isEqualTo("calendar#calendarListEntry");
    assertThat(entry.getString("id")).isEqualTo(ALICE);
    assertThat(entry.getString("timeZone")).isEqualTo("America/Toronto");
    assertThat(entry.getString("accessRole")).isEqualTo("owner");
    assertThat(entry.getBoolean("primary")).isTrue();
    HttpResponse<Buffer> other = send(api(GET, token, "calendars/" + enc("bob@clinic.test") + "/events"));
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(other.bodyAsJsonObject().getJsonObject("error").getJsonArray("errors").getJsonObject(0).getString("reason"))
      .isEqualTo("notFound");
  }

  @Test
  void fullSyncPagesThenIncrementalWithTombstone() throws Exception {
    String token = login(ALICE);
    for (int i = 0; i < 600; i++) {
      emu.state().insertEvent(ALICE, timed("e" + i, "2026-03-0" + (1 + i % 9) + "T10:00:00-05:00", "2026-03-0" + (1 + i % 9) + "T11:00:00-05:00"));
    }
    List<JsonObject> pages = new ArrayList<>();
    String pageToken = null;
    do {
      HttpRequest<Buffer> r = api(GET, token, EVENTS).addQueryParam("maxResults", "250");
      if (pageToken != null) r.addQueryParam("pageToken", pageToken);
      HttpResponse<Buffer> resp = send(r);
      assertThat(resp.statusCode()).isEqualTo(200);
      JsonObject page = resp.bodyAsJsonObject();
      pages.add(page);
      pageToken = page.getString("nextPageToken");
      // exactly one of the two tokens on every page
      assertThat(page.containsKey("nextPageToken")).isNotEqualTo(page.containsKey("nextSyncToken"));
    } while (pageToken != null);
    assertThat(pages).hasSize(3);
    assertThat(pages.stream().map(p -> p.getJsonArray("items").size()).toList()).containsExactly(250, 250, 100);
    Set<String> ids = new HashSet<>();
    pages.forEach(p -> p.getJsonArray("items").forEach(o -> ids.add(((JsonObject) o).getString("id"))));
    assertThat(ids).hasSize(600);
    JsonObject first = pages.get(0);
    assertThat(first.getString("kind")).isEqualTo("calendar#events");
    assertThat(first.getString("timeZone")).isEqualTo("America/Toronto");
    assertThat(first.getString("accessRole")).isEqualTo("owner");
    assertThat(first.getJsonArray("defaultReminders")).isEmpty();
    String syncToken = pages.get(2).getString("nextSyncToken");

    // no change
    JsonObject none = send(api(GET, token, EVENTS).addQueryParam("syncToken", syncToken)).bodyAsJsonObject();
    assertThat(none.getJsonArray("items")).isEmpty();
    assertThat(none.getString("nextSyncToken")).isNotBlank();

    JsonObject inserted = send(api(POST, token, EVENTS), timed("new", "2026-04-01T09:00:00-04:00", "2026-04-01T10:00:00-04:00")).bodyAsJsonObject();
    String patchedId = pages.get(0).getJsonArray("items").getJsonObject(0).getString("id");
    String deletedId = pages.get(1).getJsonArray("items").getJsonObject(0).getString("id");
    HttpResponse<Buffer> patched = send(api(PATCH, token, EVENTS + "/" + patchedId), new JsonObject().put("transparency", "transparent"));
    assertThat(patched.statusCode()).isEqualTo(200);
    HttpResponse<Buffer> deleted = send(api(DELETE, token, EVENTS + "/" + deletedId));
    assertThat(deleted.statusCode()).isEqualTo(204);
    assertThat(deleted.body() == null || deleted.body().length() == 0).isTrue();

    JsonObject delta = send(api(GET, token, EVENTS).addQueryParam("syncToken", syncToken)).bodyAsJsonObject();
    JsonArray items = delta.getJsonArray("items");
    assertThat(items).hasSize(3);
    assertThat(items.getJsonObject(0).getString("id")).isEqualTo(inserted.getString("id"));
    assertThat(items.getJsonObject(1).getString("transparency")).isEqualTo("transparent");
    JsonObject tomb = items.getJsonObject(2);
    assertThat(tomb.fieldNames()).containsExactlyInAnyOrder("kind", "etag", "id", "status");
    assertThat(tomb.getString("id")).isEqualTo(deletedId);
    assertThat(tomb.getString("status")).isEqualTo("cancelled");
    String next = delta.getString("nextSyncToken");
    assertThat(next).isNotEqualTo(syncToken);
    assertThat(send(api(GET, token, EVENTS).addQueryParam("syncToken", next)).bodyAsJsonObject().getJsonArray("items")).isEmpty();

    // full listing without showDeleted omits the deleted one, with showDeleted includes it
    JsonObject full = send(api(GET, token, EVENTS).addQueryParam("maxResults", "2500")).bodyAsJsonObject();
    assertThat(full.getJsonArray("items")).hasSize(600);
    JsonObject withDeleted = send(api(GET, token, EVENTS).addQueryParam("maxResults", "2500").addQueryParam("showDeleted", "true")).bodyAsJsonObject();
    assertThat(withDeleted.getJsonArray("items")).hasSize(601);
    // get still returns the deleted event
    JsonObject got = send(api(GET, token, EVENTS + "/" + deletedId)).bodyAsJsonObject();
    assertThat(got.getString("status")).isEqualTo("cancelled");
  }

  @Test
  void incrementalPagesRepeatTheSyncTokenAndPageTokensAreBoundToTheQuery() throws Exception {
    String token = login(ALICE);
    String sync = send(api(GET, token, EVENTS)).bodyAsJsonObject().getString("nextSyncToken");
    for (int i = 0; i < 5; i++) emu.state().insertEvent(ALICE, timed("e" + i, "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"));
    JsonObject p1 = send(api(GET, token, EVENTS).addQueryParam("syncToken", sync).addQueryParam("maxResults", "3")).bodyAsJsonObject();
    assertThat(p1.getJsonArray("items")).hasSize(3);
    assertThat(p1.containsKey("nextSyncToken")).isFalse();
    String pt = p1.getString("nextPageToken");
    HttpResponse<Buffer> withoutSync = send(api(GET, token, EVENTS).addQueryParam("pageToken", pt));
    assertThat(withoutSync.statusCode()).isEqualTo(400);
    JsonObject p2 = send(api(GET, token, EVENTS).addQueryParam("syncToken", sync).addQueryParam("maxResults", "3")
      .addQueryParam("pageToken", pt)).bodyAsJsonObject();
    assertThat(p2.getJsonArray("items")).hasSize(2);
    assertThat(p2.getString("nextSyncToken")).isNotBlank();
  }

  @Test
  void syncTokenWithForbiddenParametersIs400() throws Exception {
    String token = login(ALICE);
    String sync = send(api(GET, token, EVENTS)).bodyAsJsonObject().getString("nextSyncToken");
    String[][] combos = {{"iCalUID", "x@google.com"}, {"orderBy", "updated"}, {"privateExtendedProperty", "a=b"},
      {"q", "x"}, {"sharedExtendedProperty", "a=b"}, {"timeMin", "2026-01-01T00:00:00Z"},
      {"timeMax", "2026-01-01T00:00:00Z"}, {"updatedMin", "2026-01-01T00:00:00Z"}};
    for (String[] c : combos) {
      HttpResponse<Buffer> r = send(api(GET, token, EVENTS).addQueryParam("syncToken", sync).addQueryParam(c[0], c[1]));
      assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
      JsonObject err = r.bodyAsJsonObject().getJsonObject("error").getJsonArray("errors").getJsonObject(0);
      assertThat(err.getString("domain")).isEqualTo("global");
      assertThat(err.getString("reason")).isEqualTo("invalid");
    }
    assertThat(send(api(GET, token, EVENTS).addQueryParam("maxResults", "0")).statusCode()).isEqualTo(400);
    assertThat(send(api(GET, token, EVENTS).addQueryParam("orderBy", "startTime")).statusCode()).isEqualTo(400);
    HttpResponse<Buffer> empty = send(api(GET, token, EVENTS).addQueryParam("timeMin", "2026-01-02T00:00:00Z")
      .addQueryParam("timeMax", "2026-01-01T00:00:00Z"));
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(empty.bodyAsJsonObject().getJsonObject("error").getJsonArray("errors").getJsonObject(0).getString("reason"))
      .isEqualTo("timeRangeEmpty");
  }

  @Test
  void invalidatedOrUnknownSyncTokenGivesExact410() throws Exception {
    String token = login(ALICE);
    String sync = send(api(GET, token, EVENTS)).bodyAsJsonObject().getString("nextSyncToken");
    emu.state().invalidateSyncTokens(ALICE);
    JsonObject expected = new JsonObject("{\"error\":{\"errors\":[{\"domain\":\"calendar\",\"reason\":\"fullSyncRequired\","
      + "\"message\":\"Sync token is no longer valid, a full sync is required.\",\"locationType\":\"parameter\","
      + "\"location\":\"syncToken\"}],\"code\":410,\"message\":\"Sync token is no longer valid, a full sync is required.\"}}");
    HttpResponse<Buffer> gone = send(api(GET, token, EVENTS).addQueryParam("syncToken", sync));
    assertThat(gone.statusCode()).isEqualTo(410);
    assertThat(gone.bodyAsJsonObject()).isEqualTo(expected);
    HttpResponse<Buffer> garbage = send(api(GET, token, EVENTS).addQueryParam("syncToken", "CPDAlvWDx70CEPDAlvWDx70CGAU="));
    assertThat(garbage.statusCode()).isEqualTo(410);
    assertThat(garbage.bodyAsJsonObject()).isEqualTo(expected);
    // a new full sync yields a working token
    String fresh = send(api(GET, token, EVENTS)).bodyAsJsonObject().getString("nextSyncToken");
    assertThat(send(api(GET, token, EVENTS).addQueryParam("syncToken", fresh)).statusCode()).isEqualTo(200);
  }

  @Test
  void clientSuppliedIdsAreValidatedAndReserved() throws Exception {
    String token = login(ALICE);
    JsonObject ev = timed("appt", "2026-05-01T10:00:00-04:00", "2026-05-01T10:30:00-04:00").put("id", "appt0001abcdef");
    HttpResponse<Buffer> created = send(api(POST, token, EVENTS), ev);
    assertThat(created.statusCode()).isEqualTo(200);
    JsonObject c = created.bodyAsJsonObject();
    assertThat(c.getString("id")).isEqualTo("appt0001abcdef");
    assertThat(c.getString("kind")).isEqualTo("calendar#event");
    assertThat(c.getString("etag")).matches("\"\\d+\"");
    assertThat(c.getString("updated")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(c.getString("eventType")).isEqualTo("default");
    assertThat(c.getJsonObject("organizer").getString("email")).isEqualTo(ALICE);

    HttpResponse<Buffer> dup = send(api(POST, token, EVENTS), ev);
    assertThat(dup.statusCode()).isEqualTo(409);
    assertThat(dup.bodyAsJsonObject()).isEqualTo(new JsonObject("{\"error\":{\"errors\":[{\"domain\":\"global\","
      + "\"reason\":\"duplicate\",\"message\":\"The requested identifier already exists.\"}],\"code\":409,"
      + "\"message\":\"The requested identifier already exists.\"}}"));

    HttpResponse<Buffer> bad = send(api(POST, token, EVENTS), ev.copy().put("id", "has-dash-xyz"));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getJsonObject("error").getString("message")).isEqualTo("Invalid resource id value.");
    assertThat(send(api(POST, token, EVENTS), ev.copy().put("id", "abc")).statusCode()).isEqualTo(400);

    HttpResponse<Buffer> noEnd = send(api(POST, token, EVENTS), new JsonObject().put("summary", "x")
      .put("start", new JsonObject().put("dateTime", "2026-05-01T10:00:00Z")));
    assertThat(noEnd.statusCode()).isEqualTo(400);

    assertThat(send(api(DELETE, token, EVENTS + "/appt0001abcdef")).statusCode()).isEqualTo(204);
    HttpResponse<Buffer> again = send(api(DELETE, token, EVENTS + "/appt0001abcdef"));
    assertThat(again.statusCode()).isEqualTo(410);
    assertThat(again.bodyAsJsonObject().getJsonObject("error").getJsonArray("errors").getJsonObject(0).getString("reason"))
      .isEqualTo("deleted");
    assertThat(send(api(POST, token, EVENTS), ev).statusCode()).isEqualTo(409);
    assertThat(send(api(GET, token, EVENTS + "/nosuchevent1")).statusCode()).isEqualTo(404);
  }

  @Test
  void etagsIfMatchAndIfNoneMatch() throws Exception {
    String token = login(ALICE);
    JsonObject c = send(api(POST, token, EVENTS), timed("x", "2026-05-01T10:00:00Z", "2026-05-01T11:00:00Z")
      .put("extendedProperties", new JsonObject().put("private", new JsonObject().put("k", "v").put("keep", "1")))).bodyAsJsonObject();
    String id = c.getString("id");
    String etag = c.getString("etag");

    HttpResponse<Buffer> notModified = send(api(GET, token, EVENTS + "/" + id).putHeader("If-None-Match", etag));
    assertThat(notModified.statusCode()).isEqualTo(304);

    HttpResponse<Buffer> patched = send(api(PATCH, token, EVENTS + "/" + id).putHeader("If-Match", etag),
      new JsonObject().put("summary", "y").put("extendedProperties", new JsonObject().put("private", new JsonObject().putNull("k"))));
    assertThat(patched.statusCode()).isEqualTo(200);
    JsonObject p = patched.bodyAsJsonObject();
    assertThat(p.getString("etag")).isNotEqualTo(etag);
    assertThat(p.getString("summary")).isEqualTo("y");
    assertThat(p.getJsonObject("extendedProperties").getJsonObject("private").getMap()).containsOnlyKeys("keep");

    HttpResponse<Buffer> stale = send(api(PATCH, token, EVENTS + "/" + id).putHeader("If-Match", etag), new JsonObject().put("summary", "z"));
    assertThat(stale.statusCode()).isEqualTo(412);
    assertThat(stale.bodyAsJsonObject()).isEqualTo(new JsonObject("{\"error\":{\"errors\":[{\"domain\":\"global\","
      + "\"reason\":\"conditionNotMet\",\"message\":\"Precondition Failed\",\"locationType\":\"header\",\"location\":\"If-Match\"}],"
      + "\"code\":412,\"message\":\"Precondition Failed\"}}"));
    assertThat(send(api(DELETE, token, EVENTS + "/" + id).putHeader("If-Match", etag)).statusCode()).isEqualTo(412);
    assertThat(send(api(GET, token, EVENTS + "/" + id).putHeader("If-None-Match", etag)).statusCode()).isEqualTo(200);

    HttpResponse<Buffer> put = send(api(PUT, token, EVENTS + "/" + id).putHeader("If-Match", p.getString("etag")),
      timed("replaced", "2026-05-02T10:00:00Z", "2026-05-02T11:00:00Z"));
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(put.bodyAsJsonObject().containsKey("extendedProperties")).isFalse();
    assertThat(put.bodyAsJsonObject().getInteger("sequence")).isEqualTo(1);
  }

  @Test
  void recurringInstancesAndExceptions() throws Exception {
    String token = login(ALICE);
    JsonObject master = send(api(POST, token, EVENTS), timed("weekly", "2026-03-02T09:00:00-05:00", "2026-03-02T09:30:00-05:00")
      .put("recurrence", new JsonArray().add("RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6"))).bodyAsJsonObject();
    String mid = master.getString("id");
    JsonObject inst = send(api(GET, token, EVENTS + "/" + mid + "/instances")).bodyAsJsonObject();
    JsonArray items = inst.getJsonArray("items");
    assertThat(items).hasSize(6);
    assertThat(items.getJsonObject(0).getString("id")).isEqualTo(mid + "_20260302T140000Z");
    assertThat(items.getJsonObject(1).getString("id")).isEqualTo(mid + "_20260304T140000Z");
    assertThat(items.getJsonObject(1).getString("recurringEventId")).isEqualTo(mid);
    assertThat(items.getJsonObject(1).getJsonObject("originalStartTime").getString("dateTime")).isEqualTo("2026-03-04T09:00:00-05:00");

    String moved = items.getJsonObject(1).getString("id");
    String cancelled = items.getJsonObject(2).getString("id");
    JsonObject ex = send(api(PATCH, token, EVENTS + "/" + moved), new JsonObject().put("summary", "moved")
      .put("start", new JsonObject().put("dateTime", "2026-03-04T15:00:00-05:00"))
      .put("end", new JsonObject().put("dateTime", "2026-03-04T15:30:00-05:00"))).bodyAsJsonObject();
    assertThat(ex.getString("recurringEventId")).isEqualTo(mid);
    assertThat(ex.getJsonObject("originalStartTime").getString("dateTime")).isEqualTo("2026-03-04T09:00:00-05:00");
    assertThat(send(api(DELETE, token, EVENTS + "/" + cancelled)).statusCode()).isEqualTo(204);

    JsonArray single = send(api(GET, token, EVENTS).addQueryParam("singleEvents", "true").addQueryParam("orderBy", "startTime"))
      .bodyAsJsonObject().getJsonArray("items");
    assertThat(single).hasSize(5);
    assertThat(single.stream().map(o -> ((JsonObject) o).getString("summary")).toList()).contains("moved");
    assertThat(single.stream().map(o -> ((JsonObject) o).getString("id")).toList()).doesNotContain(cancelled, mid);

    JsonArray plain = send(api(GET, token, EVENTS)).bodyAsJsonObject().getJsonArray("items");
    // master + modified exception + cancelled exception (shown while the series lives)
    assertThat(plain).hasSize(3);
    JsonObject cancelledRow = plain.stream().map(JsonObject.class::cast).filter(o -> o.getString("id").equals(cancelled)).findFirst().orElseThrow();
    assertThat(cancelledRow.getString("status")).isEqualTo("cancelled");
    assertThat(cancelledRow.getString("recurringEventId")).isEqualTo(mid);
    assertThat(cancelledRow.containsKey("originalStartTime")).isTrue();

    HttpResponse<Buffer> wr = send(api(GET, token, EVENTS).addQueryParam("singleEvents", "true")
      .addQueryParam("timeMin", "2026-03-11T00:00:00-04:00").addQueryParam("timeMax", "2026-03-12T00:00:00-04:00"));
    assertThat(wr.statusCode()).as(wr.bodyAsString()).isEqualTo(200);
    JsonArray window = wr.bodyAsJsonObject().getJsonArray("items");
    assertThat(window).as(window.encodePrettily()).hasSize(1);
    assertThat(window.getJsonObject(0).getString("id")).isEqualTo(mid + "_20260311T130000Z"); // 09:00 EDT, after the DST change
  }

  @Test
  void freeBusyExcludesTransparentAndCancelled() throws Exception {
    String token = login(ALICE);
    send(api(POST, token, EVENTS), timed("busy", "2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z"));
    send(api(POST, token, EVENTS), timed("overlap", "2026-06-01T10:30:00Z", "2026-06-01T11:30:00Z"));
    send(api(POST, token, EVENTS), timed("free", "2026-06-01T13:00:00Z", "2026-06-01T14:00:00Z").put("transparency", "transparent"));
    String del = send(api(POST, token, EVENTS), timed("gone", "2026-06-01T15:00:00Z", "2026-06-01T16:00:00Z")).bodyAsJsonObject().getString("id");
    send(api(DELETE, token, EVENTS + "/" + del));
    HttpResponse<Buffer> r = send(api(POST, token, "freeBusy"), new JsonObject().put("timeMin", "2026-06-01T00:00:00Z")
      .put("timeMax", "2026-06-02T00:00:00Z").put("items", new JsonArray().add(new JsonObject().put("id", ALICE))
        .add(new JsonObject().put("id", "nobody@clinic.test"))));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject fb = r.bodyAsJsonObject();
    assertThat(fb.getString("kind")).isEqualTo("calendar#freeBusy");
    assertThat(fb.getJsonObject("calendars").getJsonObject(ALICE).getJsonArray("busy")).isEqualTo(new JsonArray()
      .add(new JsonObject().put("start", "2026-06-01T10:00:00Z").put("end", "2026-06-01T11:30:00Z")));
    assertThat(fb.getJsonObject("calendars").getJsonObject("nobody@clinic.test").getJsonArray("errors").getJsonObject(0)
      .getString("reason")).isEqualTo("notFound");
  }

  @Test
  void filtersQueryAndExtendedProperties() throws Exception {
    String token = login(ALICE);
    send(api(POST, token, EVENTS), timed("Dentist", "2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z")
      .put("extendedProperties", new JsonObject().put("private", new JsonObject().put("appt", "1").put("src", "emr"))));
    send(api(POST, token, EVENTS), timed("Gym", "2026-06-02T10:00:00Z", "2026-06-02T11:00:00Z")
      .put("extendedProperties", new JsonObject().put("private", new JsonObject().put("appt", "2").put("src", "emr"))));
    JsonObject byProp = send(api(GET, token, EVENTS).addQueryParam("privateExtendedProperty", "src=emr")
      .addQueryParam("privateExtendedProperty", "appt=2")).bodyAsJsonObject();
    assertThat(byProp.getJsonArray("items")).hasSize(1);
    assertThat(byProp.getJsonArray("items").getJsonObject(0).getString("summary")).isEqualTo("Gym");
    assertThat(byProp.containsKey("nextSyncToken")).isFalse();
    assertThat(send(api(GET, token, EVENTS).addQueryParam("q", "dent")).bodyAsJsonObject().getJsonArray("items")).hasSize(1);
    JsonObject window = send(api(GET, token, EVENTS).addQueryParam("timeMin", "2026-06-01T11:00:00Z")).bodyAsJsonObject();
    assertThat(window.getJsonArray("items")).hasSize(1); // timeMin is exclusive on the end
    assertThat(window.getString("nextSyncToken")).isNotBlank();
  }
}
