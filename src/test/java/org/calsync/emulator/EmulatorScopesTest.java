package org.calsync.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;

/** Access tokens carry their granted scopes; each Calendar method accepts only the scopes the discovery document lists. */
class EmulatorScopesTest extends EmulatorTestSupport {
  private static final String USER = "ro@clinic.test";
  private static final String EVENTS = "calendars/" + enc(USER) + "/events";
  private static final String CAL_RO = "https://www.googleapis.com/auth/calendar.readonly";

  /** An access token from a refresh token granted only {@code scope} (as the consent screen's partial answer gives). */
  private String tokenWith(String scope) throws Exception {
    JsonObject r = tokenRequest(refreshForm(emu.state().mintRefreshToken(USER, "calsync-local", scope))).bodyAsJsonObject();
    assertThat(r.getString("scope")).isEqualTo(scope);
    return r.getString("access_token");
  }

  private static JsonObject channel(String id) {
    return new JsonObject().put("id", id).put("type", "web_hook").put("address", "https://hooks.clinic.test/calendar");
  }

  private static void assertInsufficientScopes(HttpResponse<Buffer> r, String rpcMethod, String acceptedScope) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(403);
    JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.fieldNames()).containsExactly("code", "message", "errors", "status", "details");
    assertThat(error.getInteger("code")).isEqualTo(403);
    assertThat(error.getString("message")).isEqualTo("Request had insufficient authentication scopes.");
    assertThat(error.getString("status")).isEqualTo("PERMISSION_DENIED");
    assertThat(error.getJsonArray("errors")).isEqualTo(new JsonArray().add(new JsonObject()
      .put("message", "Insufficient Permission").put("domain", "global").put("reason", "insufficientPermissions")));
    JsonObject info = error.getJsonArray("details").getJsonObject(0);
    assertThat(info.getString("@type")).isEqualTo("type.googleapis.com/google.rpc.ErrorInfo");
    assertThat(info.getString("reason")).isEqualTo("ACCESS_TOKEN_SCOPE_INSUFFICIENT");
    assertThat(info.getJsonObject("metadata")).isEqualTo(new JsonObject()
      .put("service", "calendar-json.googleapis.com").put("method", rpcMethod));
    String challenge = r.getHeader("WWW-Authenticate");
    assertThat(challenge).startsWith("Bearer realm=\"https://accounts.google.com/\", error=\"insufficient_scope\", scope=\"")
      .contains(acceptedScope);
  }

  @Test
  void aReadOnlyTokenReadsButCannotWriteOrWatch() throws Exception {
    emu.state().createUser(USER);
    String full = login(USER);
    String id = send(api(POST, full, EVENTS), timed("x", "2026-03-02T09:00:00-05:00", "2026-03-02T10:00:00-05:00"))
      .bodyAsJsonObject().getString("id");
    String ro = tokenWith(CAL_RO);

    HttpResponse<Buffer> list = send(api(GET, ro, EVENTS));
    assertThat(list.statusCode()).as(list.bodyAsString()).isEqualTo(200);
    assertThat(ids(list.bodyAsJsonObject().getJsonArray("items"))).containsExactly(id);
    assertThat(send(api(GET, ro, EVENTS + "/" + id)).statusCode()).isEqualTo(200);
    assertThat(send(api(GET, ro, "users/me/calendarList")).statusCode()).isEqualTo(200);

    JsonObject event = timed("y", "2026-03-03T09:00:00-05:00", "2026-03-03T10:00:00-05:00");
    assertInsufficientScopes(send(api(POST, ro, EVENTS), event), "calendar.v3.Events.Insert",
      "https://www.googleapis.com/auth/calendar.events");
    assertInsufficientScopes(send(api(PATCH, ro, EVENTS + "/" + id), new JsonObject().put("summary", "z")),
      "calendar.v3.Events.Patch", "https://www.googleapis.com/auth/calendar ");
    assertInsufficientScopes(send(api(POST, ro, EVENTS + "/" + id).putHeader("X-HTTP-Method-Override", "PATCH"),
      new JsonObject().put("summary", "z")), "calendar.v3.Events.Patch", "https://www.googleapis.com/auth/calendar ");
    assertInsufficientScopes(send(api(DELETE, ro, EVENTS + "/" + id)), "calendar.v3.Events.Delete",
      "https://www.googleapis.com/auth/calendar.events.owned");
    // the discovery document lists calendar.readonly for events.watch (a read), not for calendarList.insert
    HttpResponse<Buffer> watch = send(api(POST, ro, EVENTS + "/watch"), channel("ro-1"));
    assertThat(watch.statusCode()).as(watch.bodyAsString()).isEqualTo(200);
    assertInsufficientScopes(send(api(POST, ro, "users/me/calendarList"), new JsonObject().put("id", USER)),
      "calendar.v3.CalendarList.Insert", "https://www.googleapis.com/auth/calendar.calendarlist");

    // nothing was written: the event is as the full token left it, and the full token still writes
    JsonObject stored = send(api(GET, full, EVENTS + "/" + id)).bodyAsJsonObject();
    assertThat(stored.getString("summary")).isEqualTo("x");
    assertThat(stored.getString("status")).isEqualTo("confirmed");
    assertThat(send(api(PATCH, full, EVENTS + "/" + id), new JsonObject().put("summary", "z")).statusCode()).isEqualTo(200);
    assertThat(send(api(DELETE, full, EVENTS + "/" + id)).statusCode()).isEqualTo(204);
  }

  @Test
  void aTokenWithoutACalendarScopeCannotEvenRead() throws Exception {
    emu.state().createUser(USER);
    String signInOnly = tokenWith("openid https://www.googleapis.com/auth/userinfo.email");
    assertInsufficientScopes(send(api(GET, signInOnly, EVENTS)), "calendar.v3.Events.List",
      "https://www.googleapis.com/auth/calendar.readonly");
    assertInsufficientScopes(send(api(GET, signInOnly, "users/me/calendarList")), "calendar.v3.CalendarList.List",
      "https://www.googleapis.com/auth/calendar.readonly");
    assertInsufficientScopes(send(api(POST, signInOnly, EVENTS + "/watch"), channel("none-1")), "calendar.v3.Events.Watch",
      "https://www.googleapis.com/auth/calendar.events.readonly");
    // an events-only token reads and writes events, but cannot list calendars
    String eventsOnly = tokenWith("https://www.googleapis.com/auth/calendar.events");
    assertThat(send(api(POST, eventsOnly, EVENTS), timed("e", "2026-03-04T09:00:00-05:00", "2026-03-04T10:00:00-05:00"))
      .statusCode()).isEqualTo(200);
    assertInsufficientScopes(send(api(GET, eventsOnly, "users/me/calendarList")), "calendar.v3.CalendarList.List",
      "https://www.googleapis.com/auth/calendar.calendarlist.readonly");
  }
}
