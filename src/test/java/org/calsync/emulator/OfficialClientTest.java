package org.calsync.emulator;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.client.util.DateTime;
import com.google.api.services.calendar.Calendar;
import com.google.api.services.calendar.model.Channel;
import com.google.api.services.calendar.model.Event;
import com.google.api.services.calendar.model.EventDateTime;
import com.google.api.services.calendar.model.Events;
import com.google.api.services.calendar.model.FreeBusyRequest;
import com.google.api.services.calendar.model.FreeBusyRequestItem;
import com.google.api.services.calendar.model.FreeBusyResponse;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.UserCredentials;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Drives the emulator with Google's official Java client and auth library. */
class OfficialClientTest extends EmulatorTestSupport {
  static final String ALICE = "alice@clinic.test";

  private Calendar calendar(String refreshToken) {
    UserCredentials creds = UserCredentials.newBuilder().setClientId("calsync-local").setClientSecret("calsync-local-secret")
      .setRefreshToken(refreshToken).setTokenServerUri(URI.create(emu.baseUrl() + "/token")).build();
    return new Calendar.Builder(new NetHttpTransport(), GsonFactory.getDefaultInstance(), new HttpCredentialsAdapter(creds))
      .setRootUrl(emu.baseUrl() + "/").setServicePath("calendar/v3/").setApplicationName("calsync-test").build();
  }

  private static Event event(String summary, String start, String end) {
    return new Event().setSummary(summary).setStart(new EventDateTime().setDateTime(new DateTime(start)))
      .setEnd(new EventDateTime().setDateTime(new DateTime(end)));
  }

  private static String reason(GoogleJsonResponseException e) {
    return e.getDetails().getErrors().get(0).getReason();
  }

  @Test
  void fullAndIncrementalSyncWithPagesAnd410() throws Exception {
    emu.state().createUser(ALICE);
    Calendar cal = calendar(emu.state().mintRefreshToken(ALICE));
    for (int i = 0; i < 600; i++) emu.state().insertEvent(ALICE, timed("e" + i, "2026-03-02T10:00:00-05:00", "2026-03-02T11:00:00-05:00"));
    List<Event> all = new ArrayList<>();
    String page = null;
    Events events;
    int pages = 0;
    do {
      events = cal.events().list("primary").setMaxResults(250).setPageToken(page).execute();
      all.addAll(events.getItems());
      page = events.getNextPageToken();
      pages++;
      assertThat(page == null).isEqualTo(events.getNextSyncToken() != null);
    } while (page != null);
    assertThat(pages).isEqualTo(3);
    assertThat(all).hasSize(600);
    assertThat(emu.state().stats().tokenRefreshes()).isEqualTo(1);
    String sync = events.getNextSyncToken();

    Event gone = all.get(10);
    cal.events().delete("primary", gone.getId()).execute();
    Events delta = cal.events().list("primary").setSyncToken(sync).execute();
    assertThat(delta.getItems()).hasSize(1);
    assertThat(delta.getItems().get(0).getStatus()).isEqualTo("cancelled");
    assertThat(delta.getItems().get(0).getId()).isEqualTo(gone.getId());

    emu.state().invalidateSyncTokens(ALICE);
    GoogleJsonResponseException e410 = org.junit.jupiter.api.Assertions.assertThrows(GoogleJsonResponseException.class,
      () -> cal.events().list("primary").setSyncToken(delta.getNextSyncToken()).execute());
    assertThat(e410.getStatusCode()).isEqualTo(410);
    assertThat(reason(e410)).isEqualTo("fullSyncRequired");
    assertThat(e410.getDetails().getMessage()).isEqualTo("Sync token is no longer valid, a full sync is required.");
  }

  @Test
  void insertPatchDeleteWithIdsAndEtags() throws Exception {
    emu.state().createUser(ALICE);
    Calendar cal = calendar(emu.state().mintRefreshToken(ALICE));
    Event created = cal.events().insert("primary", event("appt", "2026-05-01T10:00:00-04:00", "2026-05-01T10:30:00-04:00")
      .setId("apptabc123")).execute();
    assertThat(created.getId()).isEqualTo("apptabc123");
    assertThat(created.getEtag()).matches("\"\\d+\"");
    GoogleJsonResponseException dup = org.junit.jupiter.api.Assertions.assertThrows(GoogleJsonResponseException.class,
      () -> cal.events().insert("primary", event("appt", "2026-05-01T10:00:00-04:00", "2026-05-01T10:30:00-04:00")
        .setId("apptabc123")).execute());
    assertThat(dup.getStatusCode()).isEqualTo(409);
    assertThat(reason(dup)).isEqualTo("duplicate");

    Calendar.Events.Patch patch = cal.events().patch("primary", "apptabc123", new Event().setTransparency("transparent"));
    patch.setRequestHeaders(new HttpHeaders().setIfMatch(created.getEtag()));
    Event patched = patch.execute();
    assertThat(patched.getTransparency()).isEqualTo("transparent");
    assertThat(patched.getEtag()).isNotEqualTo(created.getEtag());

    Calendar.Events.Patch stale = cal.events().patch("primary", "apptabc123", new Event().setSummary("late"));
    stale.setRequestHeaders(new HttpHeaders().setIfMatch(created.getEtag()));
    GoogleJsonResponseException e412 = org.junit.jupiter.api.Assertions.assertThrows(GoogleJsonResponseException.class, stale::execute);
    assertThat(e412.getStatusCode()).isEqualTo(412);
    assertThat(reason(e412)).isEqualTo("conditionNotMet");

    cal.events().delete("primary", "apptabc123").execute();
    assertThat(cal.events().get("primary", "apptabc123").execute().getStatus()).isEqualTo("cancelled");
    GoogleJsonResponseException e410 = org.junit.jupiter.api.Assertions.assertThrows(GoogleJsonResponseException.class,
      () -> cal.events().delete("primary", "apptabc123").execute());
    assertThat(e410.getStatusCode()).isEqualTo(410);
    assertThat(reason(e410)).isEqualTo("deleted");
  }

  @Test
  void watchAndFreeBusy() throws Exception {
    emu.state().createUser(ALICE);
    Calendar cal = calendar(emu.state().mintRefreshToken(ALICE));
    LinkedBlockingQueue<MultiMap> received = new LinkedBlockingQueue<>();
    HttpServer hook = vertx.createHttpServer().requestHandler(req -> {
      received.add(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
      req.response().end();
    }).listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
    try {
      Channel ch = cal.events().watch("primary", new Channel().setId("official-1").setType("web_hook")
        .setAddress("http://127.0.0.1:" + hook.actualPort() + "/h").setToken("tok")).execute();
      assertThat(ch.getResourceId()).isNotBlank();
      assertThat(ch.getExpiration()).isGreaterThan(System.currentTimeMillis());
      assertThat(received.poll(5, TimeUnit.SECONDS).get("X-Goog-Resource-State")).isEqualTo("sync");
      cal.events().insert("primary", event("busy", "2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z")).execute();
      cal.events().insert("primary", event("free", "2026-06-01T12:00:00Z", "2026-06-01T13:00:00Z").setTransparency("transparent")).execute();
      assertThat(received.poll(5, TimeUnit.SECONDS).get("X-Goog-Resource-State")).isEqualTo("exists");
      cal.channels().stop(new Channel().setId("official-1").setResourceId(ch.getResourceId())).execute();

      FreeBusyResponse fb = cal.freebusy().query(new FreeBusyRequest().setTimeMin(new DateTime("2026-06-01T00:00:00Z"))
        .setTimeMax(new DateTime("2026-06-02T00:00:00Z")).setItems(List.of(new FreeBusyRequestItem().setId(ALICE)))).execute();
      var busy = fb.getCalendars().get(ALICE).getBusy();
      assertThat(busy).hasSize(1);
      assertThat(busy.get(0).getStart().getValue()).isEqualTo(new DateTime("2026-06-01T10:00:00Z").getValue());
      assertThat(busy.get(0).getEnd().getValue()).isEqualTo(new DateTime("2026-06-01T11:00:00Z").getValue());
    } finally {
      hook.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void tokenRefreshAfterExpiryAndInvalidGrant() throws Exception {
    emu.state().createUser(ALICE);
    String refresh = emu.state().mintRefreshToken(ALICE);
    Calendar cal = calendar(refresh);
    cal.calendarList().list().execute();
    emu.state().expireAccessTokens();
    // the adapter refreshes once on 401 and retries
    assertThat(cal.calendarList().list().execute().getItems()).hasSize(1);
    assertThat(emu.state().stats().tokenRefreshes()).isEqualTo(2);

    emu.state().revokeRefreshToken(refresh);
    Calendar dead = calendar(refresh);
    assertThatThrownBy(() -> dead.calendarList().list().execute()).isInstanceOf(IOException.class)
      .hasMessageContaining("invalid_grant");
  }
}
