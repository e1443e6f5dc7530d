package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.calsync.emulator.FaultProfile;
import org.calsync.emulator.SeededUser;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The overlap probe of the crash tests can see an overlap, and does not mistake a timed-out request for one. */
@ExtendWith(HarnessExtension.class)
class ListingProxyTest {
  private Harness h;
  private ListingProxy proxy;
  private WebClient web;
  private String path;
  private String token;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness;
    proxy = ListingProxy.start(h.vertx, h.emulator.baseUrl());
    web = WebClient.create(h.vertx);
    SeededUser u = h.emulator.state().seed(1, 3).get(0);
    path = "/calendars/" + URLEncoder.encode(u.email(), StandardCharsets.UTF_8) + "/events";
    token = web.postAbs(h.emulator.baseUrl() + "/token").sendForm(MultiMap.caseInsensitiveMultiMap()
            .add("grant_type", "refresh_token").add("refresh_token", u.refreshToken())
            .add("client_id", "calsync-local").add("client_secret", "calsync-local-secret"))
        .await().bodyAsJsonObject().getString("access_token");
  }

  @AfterEach
  void tearDown() throws Exception {
    web.close();
    proxy.close();
  }

  private Future<Integer> list(long timeoutMs) {
    return web.getAbs(proxy.apiBaseUrl() + path).bearerTokenAuthentication(token).timeout(timeoutMs).send()
        .map(r -> r.statusCode());
  }

  @Test
  void recordsConcurrentListingsOfOneCalendar() {
    h.emulator.state().setFaults(FaultProfile.none().withLatency(300, 0));
    Future.all(list(5000), list(5000)).await();
    assertThat(proxy.maxInFlight()).containsValue(2).hasSize(1);
    assertThat(list(5000).await()).isEqualTo(200);
  }

  @Test
  void aListingTheClientGaveUpOnIsNoLongerInFlight() {
    h.emulator.state().setFaults(FaultProfile.none().withSlow(1.0, 1500));
    assertThat(list(200).transform(ar -> Future.succeededFuture(ar.failed())).await()).as("timed out").isTrue();
    Harness.await("the abandoned listing no longer in flight", () -> proxy.inFlight() == 0);
    h.emulator.state().setFaults(FaultProfile.none());
    assertThat(list(5000).await()).isEqualTo(200);
    assertThat(proxy.maxInFlight()).containsValue(1).hasSize(1);
    assertThat(proxy.listings()).isEqualTo(2);
  }
}
