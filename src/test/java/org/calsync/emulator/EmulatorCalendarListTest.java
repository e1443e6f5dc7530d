package org.calsync.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;

/** Several calendars per user: calendarList entries, access roles on the events API, the admin API. */
class EmulatorCalendarListTest extends EmulatorTestSupport {
  static final String ALICE = "alice@clinic.test";
  static final String BOB = "bob@clinic.test";

  @Test
  void listShowsOwnSecondaryAndSharedCalendarsWithGoogleShape() throws Exception {
    String token = login(ALICE);
    emu.state().createUser(BOB);
    String work = emu.state().addCalendar(ALICE, "Work", "Europe/Paris");
    String bobShared = emu.state().addCalendar(BOB, "Bob clinic", null);
    emu.state().setListEntry(ALICE, bobShared, "writer", false);
    emu.state().setListEntry(ALICE, BOB, "freeBusyReader", null);

    JsonArray items = send(api(GET, token, "users/me/calendarList")).bodyAsJsonObject().getJsonArray("items");
    assertThat(ids(items)).containsExactly(ALICE, work, bobShared, BOB);
    JsonObject primary = items.getJsonObject(0);
    assertThat(primary.getBoolean("primary")).isTrue();
    assertThat(primary.getBoolean("selected")).isTrue();
    assertThat(primary.containsKey("dataOwner")).isFalse();
    JsonObject secondary = items.getJsonObject(1);
    assertThat(work).endsWith("@group.calendar.google.com");
    assertThat(secondary.getString("summary")).isEqualTo("Work");
    assertThat(secondary.getString("timeZone")).isEqualTo("Europe/Paris");
    assertThat(secondary.getString("accessRole")).isEqualTo("owner");
    assertThat(secondary.getString("dataOwner")).isEqualTo(ALICE);
    assertThat(secondary.containsKey("primary")).isFalse();
    JsonObject shared = items.getJsonObject(2);
    assertThat(shared.getString("accessRole")).isEqualTo("writer");
    assertThat(shared.containsKey("selected")).isFalse();
    assertThat(shared.getString("dataOwner")).isEqualTo(BOB);
    JsonObject fb = items.getJsonObject(3);
    assertThat(fb.getString("accessRole")).isEqualTo("freeBusyReader");
    assertThat(fb.containsKey("primary")).isFalse();
    assertThat(fb.containsKey("notificationSettings")).isFalse();

    JsonArray writers = send(api(GET, token, "users/me/calendarList?minAccessRole=writer")).bodyAsJsonObject().getJsonArray("items");
    assertThat(ids(writers)).containsExactly(ALICE, work, bobShared);
    assertThat(send(api(GET, token, "users/me/calendarList/" + enc(bobShared))).bodyAsJsonObject()).isEqualTo(shared);
  }

  @Test
  void pagesSyncTokensAndDeletedEntries() throws Exception {
    String token = login(ALICE);
    List<String> made = new ArrayList<>();
    made.add(ALICE);
    for (int i = 0; i < 4; i++) made.add(emu.state().addCalendar(ALICE, "c" + i, null));
    List<String> seen = new ArrayList<>();
    String page = null;
    String syncToken;
    do {
      JsonObject body = send(api(GET, token, "users/me/calendarList?maxResults=2" + (page == null ? "" : "&pageToken=" + enc(page))))
        .bodyAsJsonObject();
      seen.addAll(ids(body.getJsonArray("items")));
      page = body.getString("nextPageToken");
      syncToken = body.getString("nextSyncToken");
      assertThat(page == null).isNotEqualTo(syncToken == null);
    } while (page != null);
    assertThat(seen).isEqualTo(made);

    emu.state().removeListEntry(ALICE, made.get(1));
    emu.state().setListEntry(ALICE, made.get(2), null, false);
    JsonArray changed = send(api(GET, token, "users/me/calendarList?syncToken=" + enc(syncToken))).bodyAsJsonObject().getJsonArray("items");
    assertThat(ids(changed)).containsExactly(made.get(1), made.get(2));
    assertThat(changed.getJsonObject(0).getBoolean("deleted")).isTrue();
    assertThat(changed.getJsonObject(1).containsKey("selected")).isFalse();

    assertThat(ids(send(api(GET, token, "users/me/calendarList")).bodyAsJsonObject().getJsonArray("items")))
      .doesNotContain(made.get(1));
    assertThat(ids(send(api(GET, token, "users/me/calendarList?showDeleted=true")).bodyAsJsonObject().getJsonArray("items")))
      .contains(made.get(1));
    assertThat(send(api(GET, token, "users/me/calendarList?syncToken=nope")).statusCode()).isEqualTo(410);
    assertThat(send(api(GET, token, "users/me/calendarList?syncToken=" + enc(syncToken) + "&minAccessRole=owner")).statusCode())
      .isEqualTo(400);
    assertThat(send(api(GET, token, "calendars/" + enc(made.get(1)) + "/events")).statusCode()).isEqualTo(404);
  }

  @Test
  void eventsFollowTheAccessRole() throws Exception {
    String token = login(ALICE);
    emu.state().createUser(BOB);
    String readOnly = emu.state().addCalendar(BOB, "read", null);
    String writable = emu.state().addCalendar(BOB, "write", null);
    String unshared = emu.state().addCalendar(BOB, "private", null);
    emu.state().setListEntry(ALICE, readOnly, "reader", null);
    emu.state().setListEntry(ALICE, writable, "writer", null);
    emu.state().setListEntry(ALICE, BOB, "freeBusyReader", null);
    JsonObject ev = timed("x", "2026-03-02T10:00:00-05:00", "2026-03-02T11:00:00-05:00");
    emu.state().insertEvent(readOnly, ev);

    HttpResponse<Buffer> list = send(api(GET, token, "calendars/" + enc(readOnly) + "/events"));
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.bodyAsJsonObject().getString("accessRole")).isEqualTo("reader");
    assertThat(list.bodyAsJsonObject().getJsonArray("items")).hasSize(1);
    HttpResponse<Buffer> refused = send(api(POST, token, "calendars/" + enc(readOnly) + "/events"), ev);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getJsonArray("errors").getJsonObject(0))
      .isEqualTo(new JsonObject().put("domain", "calendar").put("reason", "requiredAccessLevel")
        .put("message", "You need to have writer access to this calendar."));
    String id = list.bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getString("id");
    assertThat(send(api(PATCH, token, "calendars/" + enc(readOnly) + "/events/" + id), new JsonObject().put("summary", "y"))
      .statusCode()).isEqualTo(403);
    assertThat(send(api(DELETE, token, "calendars/" + enc(readOnly) + "/events/" + id)).statusCode()).isEqualTo(403);

    assertThat(send(api(POST, token, "calendars/" + enc(writable) + "/events"), ev).statusCode()).isEqualTo(200);
    assertThat(emu.state().groundTruth(writable)).hasSize(1);
    assertThat(send(api(GET, token, "calendars/" + enc(BOB) + "/events")).statusCode()).isEqualTo(403);
    assertThat(send(api(GET, token, "calendars/" + enc(unshared) + "/events")).statusCode()).isEqualTo(404);
    assertThat(send(api(POST, token, "calendars/" + enc(unshared) + "/events"), ev).statusCode()).isEqualTo(404);

    JsonObject fb = send(api(POST, token, "freeBusy"), new JsonObject().put("timeMin", "2026-03-02T00:00:00Z")
      .put("timeMax", "2026-03-03T00:00:00Z").put("items", new JsonArray().add(new JsonObject().put("id", readOnly))
        .add(new JsonObject().put("id", unshared)))).bodyAsJsonObject().getJsonObject("calendars");
    assertThat(fb.getJsonObject(readOnly).getJsonArray("busy")).hasSize(1);
    assertThat(fb.getJsonObject(unshared).containsKey("errors")).isTrue();

    HttpResponse<Buffer> watch = send(api(POST, token, "calendars/" + enc(writable) + "/events/watch"), new JsonObject()
      .put("id", "chan-w").put("type", "web_hook").put("address", "https://example.test/hook"));
    assertThat(watch.statusCode()).isEqualTo(200);
    assertThat(watch.bodyAsJsonObject().getString("resourceUri")).contains(enc(writable));
  }

  @Test
  void adminApiAddsSharesChangesAndRemovesCalendars() throws Exception {
    String token = login(ALICE);
    emu.state().createUser(BOB);
    String base = emu.baseUrl() + "/admin/users/";
    String id = client.postAbs(base + enc(BOB) + "/calendars").sendJsonObject(new JsonObject().put("summary", "Bob's"))
      .await(10, TimeUnit.SECONDS).bodyAsJsonObject().getString("id");
    assertThat(client.putAbs(base + enc(ALICE) + "/calendarList/" + enc(id))
      .sendJsonObject(new JsonObject().put("accessRole", "writer").put("selected", true)).await(10, TimeUnit.SECONDS).statusCode())
      .isEqualTo(204);
    assertThat(entry(token, id).getString("accessRole")).isEqualTo("writer");
    client.putAbs(base + enc(ALICE) + "/calendarList/" + enc(id)).sendJsonObject(new JsonObject().put("accessRole", "reader"))
      .await(10, TimeUnit.SECONDS);
    assertThat(entry(token, id).getString("accessRole")).isEqualTo("reader");
    assertThat(entry(token, id).getBoolean("selected")).isTrue();
    assertThat(client.putAbs(base + enc(ALICE) + "/calendarList/" + enc(id)).sendJsonObject(new JsonObject().put("accessRole", "boss"))
      .await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(400);
    assertThat(client.deleteAbs(base + enc(ALICE) + "/calendarList/" + enc(ALICE)).send().await(10, TimeUnit.SECONDS).statusCode())
      .isEqualTo(400);
    assertThat(client.deleteAbs(base + enc(ALICE) + "/calendarList/" + enc(id)).send().await(10, TimeUnit.SECONDS).statusCode())
      .isEqualTo(204);
    assertThat(send(api(GET, token, "users/me/calendarList/" + enc(id))).statusCode()).isEqualTo(404);
    // the owner removing a secondary calendar deletes it
    client.putAbs(base + enc(ALICE) + "/calendarList/" + enc(id)).sendJsonObject(new JsonObject()).await(10, TimeUnit.SECONDS);
    assertThat(entry(token, id).getString("accessRole")).isEqualTo("reader");
    client.deleteAbs(base + enc(BOB) + "/calendarList/" + enc(id)).send().await(10, TimeUnit.SECONDS);
    assertThat(send(api(GET, token, "users/me/calendarList/" + enc(id))).statusCode()).isEqualTo(404);
    assertThat(emu.state().users()).containsExactly(ALICE, BOB);
    assertThat(send(api(PUT, token, "calendars/primary/events/none"), new JsonObject()).statusCode()).isEqualTo(404);
  }

  private JsonObject entry(String token, String id) throws Exception {
    return send(api(GET, token, "users/me/calendarList/" + enc(id))).bodyAsJsonObject();
  }
}
