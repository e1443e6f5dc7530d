package org.calsync.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.util.Set;
import java.util.zip.GZIPInputStream;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;

/** Wire details Google clients rely on: 401 bodies, gzip, the fields parameter, calendars.get and calendarList.get. */
class EmulatorWireFormatTest extends EmulatorTestSupport {
  static final String ALICE = "alice@clinic.test";
  static final String EVENTS = "calendars/primary/events";
  static final String HINT = "Expected OAuth 2 access token, login cookie or other valid authentication credential. "
    + "See https://developers.google.com/identity/sign-in/web/devconsole-project.";

  @Test
  void missingAndInvalidCredentialsGetGooglesCurrent401Bodies() throws Exception {
    HttpResponse<Buffer> missing = send(api(GET, null, EVENTS));
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.getHeader("WWW-Authenticate")).isEqualTo("Bearer realm=\"https://accounts.google.com/\"");
    assertThat(missing.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", new JsonObject().put("code", 401)
      .put("message", "Request is missing required authentication credential. " + HINT)
      .put("errors", new JsonArray().add(new JsonObject().put("message", "Login Required.").put("domain", "global")
        .put("reason", "required").put("location", "Authorization").put("locationType", "header")))
      .put("status", "UNAUTHENTICATED")));

    JsonObject invalid = new JsonObject().put("error", new JsonObject().put("code", 401)
      .put("message", "Request had invalid authentication credentials. " + HINT)
      .put("errors", new JsonArray().add(new JsonObject().put("message", "Invalid Credentials").put("domain", "global")
        .put("reason", "authError").put("location", "Authorization").put("locationType", "header")))
      .put("status", "UNAUTHENTICATED"));
    HttpResponse<Buffer> bogus = send(api(GET, "ya29.unknown", EVENTS));
    assertThat(bogus.statusCode()).isEqualTo(401);
    assertThat(bogus.getHeader("WWW-Authenticate"))
      .isEqualTo("Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"");
    assertThat(bogus.bodyAsJsonObject()).isEqualTo(invalid);
    HttpResponse<Buffer> basic = send(client.getAbs(emu.baseUrl() + "/calendar/v3/" + EVENTS)
      .putHeader("Authorization", "Basic dXNlcjpwYXNz"));
    assertThat(basic.bodyAsJsonObject()).isEqualTo(invalid);

    String token = login(ALICE);
    emu.state().expireAccessTokens();
    assertThat(send(api(GET, token, EVENTS)).bodyAsJsonObject()).isEqualTo(invalid);
  }

  @Test
  void gzipOnlyWithAcceptEncodingAndAUserAgentContainingGzip() throws Exception {
    String token = login(ALICE);
    for (int i = 0; i < 20; i++) emu.state().insertEvent(ALICE, timed("e" + i, "2026-03-02T10:00:00-05:00", "2026-03-02T11:00:00-05:00"));
    HttpResponse<Buffer> plain = send(api(GET, token, EVENTS));
    assertThat(plain.getHeader("Content-Encoding")).isNull();

    HttpResponse<Buffer> both = send(api(GET, token, EVENTS).putHeader("Accept-Encoding", "gzip")
      .putHeader("User-Agent", "my program (gzip)"));
    assertThat(both.statusCode()).isEqualTo(200);
    assertThat(both.getHeader("Content-Encoding")).isEqualTo("gzip");
    assertThat(both.body().length()).isLessThan(plain.body().length());
    assertThat(new JsonObject(gunzip(both.body()))).isEqualTo(plain.bodyAsJsonObject());

    assertThat(send(api(GET, token, EVENTS).putHeader("Accept-Encoding", "deflate, gzip, br")
      .putHeader("User-Agent", "calsync/0.1 (gzip)")).getHeader("Content-Encoding")).isEqualTo("gzip");
    HttpResponse<Buffer> error = send(api(GET, null, EVENTS).putHeader("Accept-Encoding", "gzip")
      .putHeader("User-Agent", "x (gzip)"));
    assertThat(error.getHeader("Content-Encoding")).isEqualTo("gzip");
    assertThat(new JsonObject(gunzip(error.body())).getJsonObject("error").getInteger("code")).isEqualTo(401);

    for (HttpRequest<Buffer> notAsked : java.util.List.of(
      api(GET, token, EVENTS).putHeader("Accept-Encoding", "gzip").putHeader("User-Agent", "my program"),
      api(GET, token, EVENTS).putHeader("User-Agent", "my program (gzip)"),
      api(GET, token, EVENTS).putHeader("Accept-Encoding", "deflate").putHeader("User-Agent", "my program (gzip)"),
      api(GET, token, EVENTS).putHeader("Accept-Encoding", "gzip;q=0").putHeader("User-Agent", "my program (gzip)"))) {
      HttpResponse<Buffer> r = send(notAsked);
      assertThat(r.getHeader("Content-Encoding")).isNull();
      assertThat(r.bodyAsJsonObject()).isEqualTo(plain.bodyAsJsonObject());
    }
    assertThat(emu.state().stats().compressedResponses()).isEqualTo(3);
    assertThat(emu.state().stats().toJson().getLong("compressedResponses")).isEqualTo(3);
  }

  @Test
  void fieldsSelectsListsNestedFieldsSubSelectionsAndWildcards() throws Exception {
    String token = login(ALICE);
    emu.state().insertEvent(ALICE, timed("first", "2026-03-02T10:00:00-05:00", "2026-03-02T11:00:00-05:00")
      .put("extendedProperties", new JsonObject().put("private", new JsonObject().put("calsyncId", "bk-1").put("x", "y"))));
    emu.state().insertEvent(ALICE, timed("second", "2026-03-03T10:00:00-05:00", "2026-03-03T11:00:00-05:00"));
    JsonObject full = send(api(GET, token, EVENTS)).bodyAsJsonObject();

    JsonObject sub = fields(token, EVENTS, "items(id,status),nextSyncToken");
    assertThat(sub.fieldNames()).containsExactlyInAnyOrder("items", "nextSyncToken");
    assertThat(sub.getString("nextSyncToken")).isEqualTo(full.getString("nextSyncToken"));
    assertThat(sub.getJsonArray("items")).hasSize(2);
    for (int i = 0; i < 2; i++) {
      JsonObject item = full.getJsonArray("items").getJsonObject(i);
      assertThat(sub.getJsonArray("items").getJsonObject(i))
        .isEqualTo(new JsonObject().put("id", item.getString("id")).put("status", "confirmed"));
    }

    JsonObject nested = fields(token, EVENTS, "kind,items/start/dateTime,items/extendedProperties/private/calsyncId");
    assertThat(nested).isEqualTo(new JsonObject().put("kind", "calendar#events").put("items", new JsonArray()
      .add(new JsonObject().put("start", new JsonObject().put("dateTime", full.getJsonArray("items").getJsonObject(0)
        .getJsonObject("start").getString("dateTime")))
        .put("extendedProperties", new JsonObject().put("private", new JsonObject().put("calsyncId", "bk-1"))))
      .add(new JsonObject().put("start", new JsonObject().put("dateTime", full.getJsonArray("items").getJsonObject(1)
        .getJsonObject("start").getString("dateTime"))))));

    assertThat(fields(token, EVENTS, "*")).isEqualTo(full);
    assertThat(fields(token, EVENTS, "items/*,items(id)")).isEqualTo(new JsonObject().put("items", full.getJsonArray("items")));
    assertThat(fields(token, EVENTS, "nextPageToken")).isEqualTo(new JsonObject());

    String id = full.getJsonArray("items").getJsonObject(0).getString("id");
    assertThat(fields(token, EVENTS + "/" + id, "id, summary")).isEqualTo(new JsonObject().put("id", id).put("summary", "first"));
    assertThat(send(api(io.vertx.core.http.HttpMethod.PATCH, token, EVENTS + "/" + id).addQueryParam("fields", "summary"),
      new JsonObject().put("summary", "renamed")).bodyAsJsonObject()).isEqualTo(new JsonObject().put("summary", "renamed"));

    JsonObject busy = send(api(POST, token, "freeBusy").addQueryParam("fields", "calendars/*/busy"),
      new JsonObject().put("timeMin", "2026-03-02T00:00:00Z").put("timeMax", "2026-03-03T00:00:00Z")
        .put("items", new JsonArray().add(new JsonObject().put("id", ALICE)).add(new JsonObject().put("id", "nobody@x.test"))))
      .bodyAsJsonObject();
    assertThat(busy).isEqualTo(new JsonObject().put("calendars", new JsonObject()
      .put(ALICE, new JsonObject().put("busy", new JsonArray().add(new JsonObject().put("start", "2026-03-02T15:00:00Z")
        .put("end", "2026-03-02T16:00:00Z"))))
      .put("nobody@x.test", new JsonObject().put("busy", new JsonArray()))));
  }

  @Test
  void invalidFieldsAre400InvalidParameterAndErrorBodiesAreNeverReduced() throws Exception {
    String token = login(ALICE);
    for (String bad : new String[]{"items(nope)", "nextpagetoken", "items/id/more", "items(id", "items()", "kind,,etag"}) {
      HttpResponse<Buffer> r = send(api(GET, token, EVENTS).addQueryParam("fields", bad));
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      JsonObject item = r.bodyAsJsonObject().getJsonObject("error").getJsonArray("errors").getJsonObject(0);
      assertThat(item.getString("reason")).as(bad).isEqualTo("invalidParameter");
      assertThat(item.getString("location")).isEqualTo("fields");
      assertThat(item.getString("message")).startsWith("Invalid field selection ");
    }
    assertThat(send(api(GET, token, EVENTS).addQueryParam("fields", "items(nope)")).bodyAsJsonObject())
      .isEqualTo(new JsonObject().put("error", new JsonObject().put("errors", new JsonArray().add(new JsonObject()
          .put("domain", "global").put("reason", "invalidParameter").put("message", "Invalid field selection nope")
          .put("locationType", "parameter").put("location", "fields")))
        .put("code", 400).put("message", "Invalid field selection nope")));

    JsonObject notFound = send(api(GET, token, EVENTS + "/nosuchevent").addQueryParam("fields", "id")).bodyAsJsonObject();
    assertThat(notFound.getJsonObject("error").getString("message")).isEqualTo("Not Found");
    assertThat(notFound.getJsonObject("error").getJsonArray("errors").getJsonObject(0).getString("reason")).isEqualTo("notFound");
    HttpResponse<Buffer> unauth = send(api(GET, null, EVENTS).addQueryParam("fields", "nope"));
    assertThat(unauth.statusCode()).isEqualTo(401);
    assertThat(unauth.bodyAsJsonObject().getJsonObject("error").getString("status")).isEqualTo("UNAUTHENTICATED");
  }

  @Test
  void calendarsGetAndCalendarListGetAnswerPrimaryAndOwnIdsWithTheDiscoveryShapes() throws Exception {
    String token = login(ALICE);
    emu.state().createUser("bob@clinic.test");
    JsonObject calendar = send(api(GET, token, "calendars/primary")).bodyAsJsonObject();
    assertThat(calendar).isEqualTo(send(api(GET, token, "calendars/" + enc(ALICE))).bodyAsJsonObject());
    assertThat(calendar.getString("kind")).isEqualTo("calendar#calendar");
    assertThat(calendar.getString("id")).isEqualTo(ALICE);
    assertThat(calendar.getString("summary")).isEqualTo(ALICE);
    assertThat(calendar.getString("timeZone")).isEqualTo("America/Toronto");
    assertThat(calendar.getString("etag")).matches("\"\\d+\"");
    assertThat(calendar.fieldNames()).isSubsetOf(properties("Calendar"));

    JsonObject entry = send(api(GET, token, "users/me/calendarList/primary")).bodyAsJsonObject();
    assertThat(entry).isEqualTo(send(api(GET, token, "users/me/calendarList/" + enc(ALICE))).bodyAsJsonObject());
    assertThat(entry).isEqualTo(send(api(GET, token, "users/me/calendarList")).bodyAsJsonObject()
      .getJsonArray("items").getJsonObject(0));
    assertThat(entry.getString("kind")).isEqualTo("calendar#calendarListEntry");
    assertThat(entry.getString("id")).isEqualTo(ALICE);
    assertThat(entry.getString("accessRole")).isEqualTo("owner");
    assertThat(entry.getBoolean("primary")).isTrue();
    assertThat(entry.fieldNames()).isSubsetOf(properties("CalendarListEntry"));

    for (String path : new String[]{"calendars/" + enc("bob@clinic.test"), "calendars/nobody%40x.test",
      "users/me/calendarList/" + enc("bob@clinic.test"), "users/me/calendarList/nobody%40x.test"}) {
      HttpResponse<Buffer> r = send(api(GET, token, path));
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(r.bodyAsJsonObject()).isEqualTo(GoogleErrors.notFound().toJson());
    }
    assertThat(emu.state().stats().requests()).containsKeys("GET calendars.get 200", "GET calendarList.get 200",
      "GET calendars.get 404", "GET calendarList.get 404", "GET calendarList.list 200");
  }

  private JsonObject fields(String token, String path, String fields) throws Exception {
    HttpResponse<Buffer> r = send(api(GET, token, path).addQueryParam("fields", fields));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private static Set<String> properties(String schema) {
    return ApiSchemas.get().schema(schema).getJsonObject("properties").fieldNames();
  }

  private static String gunzip(Buffer gz) throws Exception {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.getBytes()))) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
