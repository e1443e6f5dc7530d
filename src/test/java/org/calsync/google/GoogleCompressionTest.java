package org.calsync.google;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.calsync.emulator.EmulatorOptions;
import org.calsync.emulator.GoogleEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** calsync's door to Google asks for compressed responses the way Google requires, and reads them (errors too). */
class GoogleCompressionTest {
  static final String ALICE = "alice@clinic.test";
  Vertx vertx;
  GoogleEmulator emu;
  Google google;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    emu = GoogleEmulator.start(vertx, EmulatorOptions.defaults()).await(10, TimeUnit.SECONDS);
    google = org.calsync.support.LocalGoogle.of(vertx, emu);
  }

  @AfterEach
  void stop() throws Exception {
    google.close();
    emu.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void listingsAndErrorsComeGzippedAndAreReadAsBefore() throws Exception {
    emu.state().createUser(ALICE);
    for (int i = 0; i < 30; i++) {
      emu.state().insertEvent(ALICE, new JsonObject().put("summary", "e" + i)
          .put("start", new JsonObject().put("dateTime", "2026-03-02T10:00:00-05:00"))
          .put("end", new JsonObject().put("dateTime", "2026-03-02T11:00:00-05:00")));
    }
    String refresh = emu.state().mintRefreshToken(ALICE);
    String first = google.oauth().refresh(refresh).await(10, TimeUnit.SECONDS).accessToken();
    TokenSource tokens = refused -> refused != null
        ? google.oauth().refresh(refresh).map(OAuthClient.Tokens::accessToken) : Future.succeededFuture(first);

    JsonObject page = google.call(tokens).<JsonObject>listEvents("primary", null, null, 250, null, Future::succeededFuture)
        .await(10, TimeUnit.SECONDS);
    assertThat(page.getJsonArray("items")).hasSize(30);
    long compressed = emu.state().stats().compressedResponses();
    assertThat(compressed).isPositive();

    assertThatThrownBy(() -> google.call(tokens).getEvent("primary", "nosuchevent").await(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(GoogleApiException.class, e -> {
          assertThat(e.status()).isEqualTo(404);
          assertThat(e.reason()).isEqualTo("notFound");
        });
    // a compressed 401 body is still read as authError: one refresh, then the listing succeeds
    emu.state().expireAccessTokens();
    long refreshes = emu.state().stats().tokenRefreshes();
    JsonObject again = google.call(tokens).<JsonObject>listEvents("primary", null, null, 250, null, Future::succeededFuture)
        .await(10, TimeUnit.SECONDS);
    assertThat(again.getJsonArray("items")).hasSize(30);
    assertThat(emu.state().stats().tokenRefreshes()).isEqualTo(refreshes + 1);
    assertThat(emu.state().stats().requests("GET events.list 401")).isEqualTo(1);
    assertThat(emu.state().stats().compressedResponses()).isGreaterThanOrEqualTo(compressed + 4);
  }

  @Test
  void theFirstPageOfAnIncrementalListingIsAskedForUncompressed() throws Exception {
    emu.state().createUser(ALICE);
    String refresh = emu.state().mintRefreshToken(ALICE);
    String access = google.oauth().refresh(refresh).await(10, TimeUnit.SECONDS).accessToken();
    GoogleCall call = google.call(refused -> Future.succeededFuture(access));
    JsonObject full = call.calendarList(null, null, null).await(10, TimeUnit.SECONDS);
    long compressed = emu.state().stats().compressedResponses();
    assertThat(compressed).as("a full listing comes compressed").isPositive();

    JsonObject changes = call.calendarList(full.getString("nextSyncToken"), null, null).await(10, TimeUnit.SECONDS);
    JsonObject events = call.<JsonObject>listEvents("primary", null, null, 250, null, Future::succeededFuture).await(10, TimeUnit.SECONDS);
    call.<JsonObject>listEvents("primary", events.getString("nextSyncToken"), null, 250, null, Future::succeededFuture)
        .await(10, TimeUnit.SECONDS);

    assertThat(changes.getJsonArray("items")).isEmpty();
    assertThat(emu.state().stats().compressedResponses()).as("only the full events listing").isEqualTo(compressed + 1);
  }
}
