package org.calsync.emulator;

import com.google.api.client.auth.oauth2.TokenResponseException;
import com.google.api.client.googleapis.auth.oauth2.GoogleAuthorizationCodeRequestUrl;
import com.google.api.client.googleapis.auth.oauth2.GoogleAuthorizationCodeTokenRequest;
import com.google.api.client.googleapis.auth.oauth2.GoogleIdToken;
import com.google.api.client.googleapis.auth.oauth2.GoogleTokenResponse;
import com.google.api.client.googleapis.auth.oauth2.GoogleRefreshTokenRequest;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.HttpResponseException;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.client.util.DateTime;
import com.google.api.services.calendar.Calendar;
import com.google.api.services.calendar.model.CalendarListEntry;
import com.google.api.services.calendar.model.Channel;
import com.google.api.services.calendar.model.Event;
import com.google.api.services.calendar.model.EventDateTime;
import com.google.api.services.calendar.model.Events;
import com.google.api.services.calendar.model.FreeBusyRequest;
import com.google.api.services.calendar.model.FreeBusyRequestItem;
import com.google.api.services.calendar.model.FreeBusyResponse;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.auth.oauth2.TokenVerifier;
import com.google.auth.oauth2.UserCredentials;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

  @Test
  void delegatedServiceAccountCredentialsImpersonateADomainUser() throws Exception {
    emu.state().createUser(ALICE);
    // the key file as the Cloud console hands it out, with the emulator as token_uri
    JsonObject keyFile = client.postAbs(emu.baseUrl() + "/admin/service-accounts").sendJsonObject(new JsonObject())
      .await(10, TimeUnit.SECONDS).bodyAsJsonObject();
    assertThat(keyFile.getString("token_uri")).isEqualTo(emu.baseUrl() + "/token");
    GoogleCredentials sa = ServiceAccountCredentials.fromStream(new ByteArrayInputStream(keyFile.toBuffer().getBytes()))
      .createScoped(List.of(TokenEndpoint.SCOPE));
    // 401 unauthorized_client (the JDK's HttpURLConnection hands the library no body for a 401)
    assertThat(tokenError(sa.createDelegated(ALICE))).as("not authorized in the admin console yet").startsWith("401 ");

    String clientId = keyFile.getString("client_id");
    assertThat(client.putAbs(emu.baseUrl() + "/admin/delegation/" + clientId)
      .sendJsonObject(new JsonObject().put("scopes", TokenEndpoint.SCOPE)).await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
    GoogleCredentials alice = sa.createDelegated(ALICE);
    Calendar cal = new Calendar.Builder(new NetHttpTransport(), GsonFactory.getDefaultInstance(), new HttpCredentialsAdapter(alice))
      .setRootUrl(emu.baseUrl() + "/").setServicePath("calendar/v3/").setApplicationName("calsync-test").build();
    Event created = cal.events().insert("primary", event("delegated", "2026-03-02T10:00:00-05:00", "2026-03-02T11:00:00-05:00")).execute();
    assertThat(emu.state().groundTruth(ALICE)).extracting(e -> e.getString("id")).containsExactly(created.getId());
    assertThat(alice.getAccessToken().getTokenValue()).isNotEmpty();

    assertThat(tokenError(sa.createDelegated("ghost@clinic.test"))).startsWith("400 ").contains("invalid_grant")
      .contains("Invalid email or User ID");
    client.deleteAbs(emu.baseUrl() + "/admin/delegation/" + clientId).send().await(10, TimeUnit.SECONDS);
    assertThat(tokenError(sa.createDelegated(ALICE))).as("delegation removed").startsWith("401 ");
  }

  /** The token endpoint's status and error body behind the auth library's exception. */
  private static String tokenError(GoogleCredentials credentials) {
    IOException e = assertThrows(IOException.class, credentials::refresh);
    Throwable t = e;
    while (t != null && !(t instanceof HttpResponseException)) t = t.getCause();
    assertThat(t).as("caused by the token endpoint's answer").isNotNull();
    return ((HttpResponseException) t).getStatusCode() + " " + ((HttpResponseException) t).getContent();
  }

  @Test
  void updateReplacesTheEventAndIfNoneMatchGives304() throws Exception {
    emu.state().createUser(ALICE);
    Calendar cal = calendar(emu.state().mintRefreshToken(ALICE));
    Event created = cal.events().insert("primary", event("first", "2026-05-01T10:00:00-04:00", "2026-05-01T10:30:00-04:00")
      .setDescription("notes")).execute();
    Event replaced = cal.events().update("primary", created.getId(),
      event("second", "2026-05-01T11:00:00-04:00", "2026-05-01T11:30:00-04:00")).execute();
    assertThat(replaced.getSummary()).isEqualTo("second");
    assertThat(replaced.getDescription()).isNull(); // PUT replaces: fields left out are gone
    assertThat(replaced.getICalUID()).isEqualTo(created.getICalUID());
    assertThat(replaced.getEtag()).isNotEqualTo(created.getEtag());
    assertThat(replaced.getSequence()).isGreaterThan(created.getSequence());

    Calendar.Events.Get fresh = cal.events().get("primary", created.getId());
    fresh.setRequestHeaders(new HttpHeaders().setIfNoneMatch(replaced.getEtag()));
    HttpResponseException notModified = assertThrows(HttpResponseException.class, fresh::execute);
    assertThat(notModified.getStatusCode()).isEqualTo(304);
    Calendar.Events.Get stale = cal.events().get("primary", created.getId());
    stale.setRequestHeaders(new HttpHeaders().setIfNoneMatch(created.getEtag()));
    assertThat(stale.execute().getSummary()).isEqualTo("second");
  }

  @Test
  void recurringInstancesWithAnExceptionAllDayAndPrivateProperties() throws Exception {
    emu.state().createUser(ALICE);
    Calendar cal = calendar(emu.state().mintRefreshToken(ALICE));
    String zone = "America/Toronto";
    Event master = cal.events().insert("primary", new Event().setSummary("standup")
      .setStart(new EventDateTime().setDateTime(new DateTime("2026-06-01T09:00:00-04:00")).setTimeZone(zone))
      .setEnd(new EventDateTime().setDateTime(new DateTime("2026-06-01T09:15:00-04:00")).setTimeZone(zone))
      .setRecurrence(List.of("RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4"))).execute();
    List<Event> instances = cal.events().instances("primary", master.getId()).execute().getItems();
    assertThat(instances).hasSize(4);
    assertThat(instances).allMatch(i -> master.getId().equals(i.getRecurringEventId()));
    Event second = instances.get(1);
    assertThat(second.getOriginalStartTime().getDateTime().getValue())
      .isEqualTo(new DateTime("2026-06-03T09:00:00-04:00").getValue());
    cal.events().patch("primary", second.getId(), new Event().setSummary("standup (moved)")
      .setStart(new EventDateTime().setDateTime(new DateTime("2026-06-03T10:00:00-04:00")).setTimeZone(zone))
      .setEnd(new EventDateTime().setDateTime(new DateTime("2026-06-03T10:15:00-04:00")).setTimeZone(zone))).execute();
    List<Event> after = cal.events().instances("primary", master.getId()).execute().getItems();
    assertThat(after).hasSize(4);
    Event moved = after.get(1);
    assertThat(moved.getId()).isEqualTo(second.getId());
    assertThat(moved.getSummary()).isEqualTo("standup (moved)");
    assertThat(moved.getStart().getDateTime().getValue()).isEqualTo(new DateTime("2026-06-03T10:00:00-04:00").getValue());
    assertThat(moved.getOriginalStartTime().getDateTime().getValue()).isEqualTo(second.getOriginalStartTime().getDateTime().getValue());
    assertThat(after.get(2).getSummary()).isEqualTo("standup");

    Event allDay = cal.events().insert("primary", new Event().setSummary("holiday")
      .setStart(new EventDateTime().setDate(new DateTime("2026-07-01"))).setEnd(new EventDateTime().setDate(new DateTime("2026-07-02")))
      .setExtendedProperties(new Event.ExtendedProperties().setPrivate(Map.of("calsyncId", "bk-42", "origin", "booking"))))
      .execute();
    Event read = cal.events().get("primary", allDay.getId()).execute();
    assertThat(read.getStart().getDate().toStringRfc3339()).isEqualTo("2026-07-01");
    assertThat(read.getEnd().getDate().toStringRfc3339()).isEqualTo("2026-07-02");
    assertThat(read.getStart().getDateTime()).isNull();
    assertThat(read.getExtendedProperties().getPrivate()).isEqualTo(Map.of("calsyncId", "bk-42", "origin", "booking"));
    List<Event> found = cal.events().list("primary").setPrivateExtendedProperty(List.of("calsyncId=bk-42")).execute().getItems();
    assertThat(found).extracting(Event::getId).containsExactly(allDay.getId());
  }

  @Test
  void incrementalSyncAcrossSeveralPagesAndTheDefaultPageSize() throws Exception {
    emu.state().createUser(ALICE);
    Calendar cal = calendar(emu.state().mintRefreshToken(ALICE));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ids.add(emu.state().insertEvent(ALICE, timed("e" + i, "2026-03-02T10:00:00-05:00", "2026-03-02T11:00:00-05:00")).getString("id"));
    }
    Events first = cal.events().list("primary").execute();
    assertThat(first.getItems()).hasSize(250);
    assertThat(first.getNextPageToken()).isNotNull();
    assertThat(first.getNextSyncToken()).isNull();
    Events last = cal.events().list("primary").setPageToken(first.getNextPageToken()).execute();
    assertThat(last.getItems()).hasSize(50);
    String sync = last.getNextSyncToken();
    assertThat(sync).isNotNull();

    Set<String> changed = new HashSet<>();
    for (int i = 0; i < 300; i += 13) {
      emu.state().patchEvent(ALICE, ids.get(i), new JsonObject().put("summary", "changed"));
      changed.add(ids.get(i));
    }
    List<String> seen = new ArrayList<>();
    String page = null;
    int pages = 0;
    Events delta;
    do {
      delta = cal.events().list("primary").setSyncToken(sync).setMaxResults(5).setPageToken(page).execute();
      delta.getItems().forEach(e -> seen.add(e.getId()));
      page = delta.getNextPageToken();
      pages++;
    } while (page != null);
    assertThat(pages).isGreaterThanOrEqualTo(5);
    assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(changed);
    assertThat(delta.getNextSyncToken()).isNotNull().isNotEqualTo(sync);
    assertThat(cal.events().list("primary").setSyncToken(delta.getNextSyncToken()).execute().getItems()).isEmpty();
  }

  @Test
  void revokedRefreshTokenIsInvalidGrantWithGooglesDescription() throws Exception {
    emu.state().createUser(ALICE);
    String refresh = emu.state().mintRefreshToken(ALICE);
    emu.state().revokeRefreshToken(refresh);
    GoogleRefreshTokenRequest request = new GoogleRefreshTokenRequest(new NetHttpTransport(), GsonFactory.getDefaultInstance(),
      refresh, "calsync-local", "calsync-local-secret");
    request.setTokenServerUrl(new GenericUrl(emu.baseUrl() + "/token"));
    TokenResponseException e = assertThrows(TokenResponseException.class, request::execute);
    assertThat(e.getStatusCode()).isEqualTo(400);
    assertThat(e.getDetails().getError()).isEqualTo("invalid_grant");
    assertThat(e.getDetails().getErrorDescription()).isEqualTo("Token has been expired or revoked.");
  }

  @Test
  void calendarsGetAndCalendarListGetForPrimaryAndById() throws Exception {
    emu.state().createUser(ALICE);
    emu.state().createUser("bob@clinic.test");
    Calendar cal = calendar(emu.state().mintRefreshToken(ALICE));
    com.google.api.services.calendar.model.Calendar primary = cal.calendars().get("primary").execute();
    assertThat(primary.getId()).isEqualTo(ALICE);
    assertThat(primary.getSummary()).isEqualTo(ALICE);
    assertThat(primary.getTimeZone()).isEqualTo("America/Toronto");
    assertThat(primary.getEtag()).isNotBlank();
    assertThat(primary.getConferenceProperties().getAllowedConferenceSolutionTypes()).containsExactly("hangoutsMeet");
    assertThat(cal.calendars().get(ALICE).execute()).isEqualTo(primary);

    CalendarListEntry entry = cal.calendarList().get("primary").execute();
    assertThat(entry.getId()).isEqualTo(ALICE);
    assertThat(entry.getPrimary()).isTrue();
    assertThat(entry.getAccessRole()).isEqualTo("owner");
    assertThat(entry.getNotificationSettings().getNotifications()).isNotEmpty();
    assertThat(cal.calendarList().get(ALICE).execute()).isEqualTo(entry);
    assertThat(cal.calendarList().list().execute().getItems()).containsExactly(entry);

    for (String other : List.of("bob@clinic.test", "nobody@clinic.test")) {
      GoogleJsonResponseException calendars404 = assertThrows(GoogleJsonResponseException.class,
        () -> cal.calendars().get(other).execute());
      assertThat(calendars404.getStatusCode()).isEqualTo(404);
      assertThat(reason(calendars404)).isEqualTo("notFound");
      GoogleJsonResponseException list404 = assertThrows(GoogleJsonResponseException.class,
        () -> cal.calendarList().get(other).execute());
      assertThat(list404.getStatusCode()).isEqualTo(404);
      assertThat(reason(list404)).isEqualTo("notFound");
    }
  }

  @Test
  void setFieldsGivesPartialResponsesAndAnInvalidSelectionIs400() throws Exception {
    emu.state().createUser(ALICE);
    Calendar cal = calendar(emu.state().mintRefreshToken(ALICE));
    for (int i = 0; i < 3; i++) {
      cal.events().insert("primary", event("e" + i, "2026-05-01T10:00:00-04:00", "2026-05-01T10:30:00-04:00")
        .setDescription("private notes")).execute();
    }
    Events partial = cal.events().list("primary").setFields("items(id,status,start/dateTime),nextSyncToken").execute();
    assertThat(partial.getNextSyncToken()).isNotNull();
    assertThat(partial.getKind()).isNull();
    assertThat(partial.getEtag()).isNull();
    assertThat(partial.getItems()).hasSize(3).allSatisfy(e -> {
      assertThat(e.keySet()).containsExactlyInAnyOrder("id", "status", "start");
      assertThat(e.getStart().keySet()).containsExactly("dateTime");
      assertThat(e.getDescription()).isNull();
    });

    String id = partial.getItems().get(0).getId();
    Event one = cal.events().get("primary", id).setFields("summary,start").execute();
    assertThat(one.keySet()).containsExactlyInAnyOrder("summary", "start");
    assertThat(one.getSummary()).isEqualTo("e0");
    assertThat(cal.events().get("primary", id).setFields("*").execute().getDescription()).isEqualTo("private notes");

    GoogleJsonResponseException bad = assertThrows(GoogleJsonResponseException.class,
      () -> cal.events().list("primary").setFields("items(id,colour)").execute());
    assertThat(bad.getStatusCode()).isEqualTo(400);
    assertThat(reason(bad)).isEqualTo("invalidParameter");
    assertThat(bad.getDetails().getErrors().get(0).getLocation()).isEqualTo("fields");
    assertThat(bad.getDetails().getMessage()).isEqualTo("Invalid field selection colour");
  }

  @Test
  void responsesToTheOfficialClientAreGzipCompressed() throws Exception {
    emu.state().createUser(ALICE);
    Calendar cal = calendar(emu.state().mintRefreshToken(ALICE));
    for (int i = 0; i < 50; i++) emu.state().insertEvent(ALICE, timed("e" + i, "2026-03-02T10:00:00-05:00", "2026-03-02T11:00:00-05:00"));
    com.google.api.client.http.HttpResponse raw = cal.events().list("primary").executeUnparsed();
    try {
      // the client sends Accept-Encoding: gzip and appends "(gzip)" to its User-Agent on the wire
      assertThat(raw.getContentEncoding()).isEqualTo("gzip");
      assertThat(raw.parseAs(Events.class).getItems()).hasSize(50);
    } finally {
      raw.disconnect();
    }
    assertThat(cal.events().list("primary").execute().getItems()).hasSize(50);
    assertThat(emu.state().stats().compressedResponses()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void missingAndInvalidCredentialsAreParsedAsGoogles401s() throws Exception {
    emu.state().createUser(ALICE);
    Calendar anonymous = new Calendar.Builder(new NetHttpTransport(), GsonFactory.getDefaultInstance(), null)
      .setRootUrl(emu.baseUrl() + "/").setServicePath("calendar/v3/").setApplicationName("calsync-test").build();
    GoogleJsonResponseException missing = assertThrows(GoogleJsonResponseException.class,
      () -> anonymous.events().list("primary").execute());
    assertThat(missing.getStatusCode()).isEqualTo(401);
    assertThat(reason(missing)).isEqualTo("required");
    assertThat(missing.getDetails().getErrors().get(0).getMessage()).isEqualTo("Login Required.");
    assertThat(missing.getDetails().getMessage()).startsWith("Request is missing required authentication credential.");
    assertThat(missing.getDetails().get("status")).isEqualTo("UNAUTHENTICATED");

    Calendar bogus = new Calendar.Builder(new NetHttpTransport(), GsonFactory.getDefaultInstance(),
      req -> req.getHeaders().setAuthorization("Bearer ya29.bogus"))
      .setRootUrl(emu.baseUrl() + "/").setServicePath("calendar/v3/").setApplicationName("calsync-test").build();
    GoogleJsonResponseException invalid = assertThrows(GoogleJsonResponseException.class,
      () -> bogus.events().list("primary").execute());
    assertThat(invalid.getStatusCode()).isEqualTo(401);
    assertThat(reason(invalid)).isEqualTo("authError");
    assertThat(invalid.getDetails().getErrors().get(0).getMessage()).isEqualTo("Invalid Credentials");
    assertThat(invalid.getDetails().getMessage()).startsWith("Request had invalid authentication credentials.");
    assertThat(invalid.getHeaders().getAuthenticate()).contains("invalid_token");
  }

  /** Follows the emulator's consent redirect like a browser and returns the callback's query parameters. */
  private Map<String, String> consent(String authorizationUrl) throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();
    var r = http.send(java.net.http.HttpRequest.newBuilder(URI.create(authorizationUrl)).GET().build(),
      java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(302);
    URI location = URI.create(r.headers().firstValue("Location").orElseThrow());
    assertThat(location.toString()).startsWith("https://app.clinic.test/callback?");
    Map<String, String> q = new java.util.HashMap<>();
    for (String kv : location.getRawQuery().split("&")) {
      int eq = kv.indexOf('=');
      q.put(kv.substring(0, eq), java.net.URLDecoder.decode(kv.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
    }
    return q;
  }

  @Test
  void authorizationCodeFlowWithTheOfficialFlowClassesAndIdTokenVerifiedAgainstTheJwks() throws Exception {
    emu.state().createUser(ALICE);
    String verifier = "v".repeat(43) + "erifier-0123456789";
    String url = new GoogleAuthorizationCodeRequestUrl(emu.baseUrl() + "/o/oauth2/v2/auth", "calsync-local",
      "https://app.clinic.test/callback", List.of("openid", "email", "https://www.googleapis.com/auth/calendar"))
      .setAccessType("offline").setApprovalPrompt(null).setState("st-1")
      .set("prompt", "consent").set("include_granted_scopes", "true").set("login_hint", ALICE)
      .set("code_challenge", Consents.s256(verifier)).set("code_challenge_method", "S256").build();
    Map<String, String> cb = consent(url);
    assertThat(cb.get("state")).isEqualTo("st-1");
    assertThat(cb.get("scope")).contains("https://www.googleapis.com/auth/calendar");

    GoogleTokenResponse tokens = new GoogleAuthorizationCodeTokenRequest(new NetHttpTransport(), GsonFactory.getDefaultInstance(),
      emu.baseUrl() + "/token", "calsync-local", "calsync-local-secret", cb.get("code"), "https://app.clinic.test/callback")
      .set("code_verifier", verifier).execute();
    assertThat(tokens.getRefreshToken()).startsWith("1//");
    assertThat(tokens.getScope().split(" ")).contains("openid", "https://www.googleapis.com/auth/userinfo.email",
      "https://www.googleapis.com/auth/calendar");
    GoogleIdToken id = tokens.parseIdToken();
    assertThat(id.getPayload().getEmail()).isEqualTo(ALICE);
    assertThat(id.getPayload().getEmailVerified()).isTrue();
    assertThat(id.getPayload().getAudience()).isEqualTo("calsync-local");
    assertThat(id.getPayload().getAuthorizedParty()).isEqualTo("calsync-local");
    // OpenID Connect at_hash: left half of SHA-256 of the access token, base64url (Google includes it in the code flow)
    byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
      .digest(tokens.getAccessToken().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(id.getPayload().getAccessTokenHash())
      .isEqualTo(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16)));

    // Google's auth library checks signature (kid from the JWKS), issuer, audience and expiry
    var verified = TokenVerifier.newBuilder().setCertificatesLocation(emu.baseUrl() + "/oauth2/v3/certs")
      .setIssuer("https://accounts.google.com").setAudience("calsync-local").build().verify(tokens.getIdToken());
    assertThat(verified.getPayload().getSubject()).isEqualTo(id.getPayload().getSubject()).matches("\\d{21}");
    String forged = tokens.getIdToken().substring(0, tokens.getIdToken().lastIndexOf('.') + 1) + "AAAA";
    assertThrows(TokenVerifier.VerificationException.class, () -> TokenVerifier.newBuilder()
      .setCertificatesLocation(emu.baseUrl() + "/oauth2/v3/certs").setIssuer("https://accounts.google.com")
      .setAudience("calsync-local").build().verify(forged));

    // the refresh token works with the official credentials class and reports the granted scope
    assertThat(calendar(tokens.getRefreshToken()).calendarList().list().execute().getItems()).hasSize(1);

    // the code was single-use
    TokenResponseException replay = assertThrows(TokenResponseException.class, () -> new GoogleAuthorizationCodeTokenRequest(
      new NetHttpTransport(), GsonFactory.getDefaultInstance(), emu.baseUrl() + "/token", "calsync-local", "calsync-local-secret",
      cb.get("code"), "https://app.clinic.test/callback").set("code_verifier", verifier).execute());
    assertThat(replay.getDetails().getError()).isEqualTo("invalid_grant");
    assertThat(replay.getDetails().getErrorDescription()).isEqualTo("Bad Request");
  }

  @Test
  void codeExchangeErrorsAreGooglesAsParsedByTheOfficialClient() throws Exception {
    emu.state().createUser(ALICE);
    String verifier = "x".repeat(50);
    java.util.function.Supplier<String> url = () -> new GoogleAuthorizationCodeRequestUrl(emu.baseUrl() + "/o/oauth2/v2/auth",
      "calsync-local", "https://app.clinic.test/callback", List.of("openid", "https://www.googleapis.com/auth/calendar"))
      .setAccessType("offline").setApprovalPrompt(null).set("login_hint", ALICE)
      .set("code_challenge", Consents.s256(verifier)).set("code_challenge_method", "S256").build();
    record Case(String code, String redirect, String verifier, String error, String description) {}
    List<Case> cases = List.of(
      new Case("garbage", "https://app.clinic.test/callback", verifier, "invalid_grant", "Malformed auth code."),
      new Case(consent(url.get()).get("code"), "https://app.clinic.test/other", verifier, "redirect_uri_mismatch", "Bad Request"),
      new Case(consent(url.get()).get("code"), "https://app.clinic.test/callback", null, "invalid_grant", "Missing code verifier."),
      new Case(consent(url.get()).get("code"), "https://app.clinic.test/callback", "y".repeat(50), "invalid_grant", "Invalid code verifier."));
    for (Case c : cases) {
      GoogleAuthorizationCodeTokenRequest req = new GoogleAuthorizationCodeTokenRequest(new NetHttpTransport(),
        GsonFactory.getDefaultInstance(), emu.baseUrl() + "/token", "calsync-local", "calsync-local-secret", c.code(), c.redirect());
      if (c.verifier() != null) req.set("code_verifier", c.verifier());
      TokenResponseException e = assertThrows(TokenResponseException.class, req::execute);
      assertThat(e.getStatusCode()).isEqualTo(400);
      assertThat(e.getDetails().getError()).as(c.description()).isEqualTo(c.error());
      assertThat(e.getDetails().getErrorDescription()).isEqualTo(c.description());
    }

    emu.state().consents().codeTtl(java.time.Duration.ZERO);
    String expired = consent(url.get()).get("code");
    TokenResponseException e = assertThrows(TokenResponseException.class, () -> new GoogleAuthorizationCodeTokenRequest(
      new NetHttpTransport(), GsonFactory.getDefaultInstance(), emu.baseUrl() + "/token", "calsync-local", "calsync-local-secret",
      expired, "https://app.clinic.test/callback").set("code_verifier", verifier).execute());
    assertThat(e.getDetails().getErrorDescription()).isEqualTo("Bad Request");
  }
}
