package org.calsync.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.emulator.FaultProfile;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Token refreshes hold no pooled connection while Google answers: with a slow token endpoint and three times as many
 * refreshes in flight as the shared pool has connections, a query on that pool and /ready are answered before Google
 * answers any refresh.
 */
@ExtendWith(HarnessExtension.class)
class RefreshPoolTest {
  private static final int POOL = 4;
  private static final int REFRESHES = 12;

  private Harness h;
  private WebClient web;

  @AfterEach
  void tearDown() throws Exception {
    if (web != null) web.close();
  }

  @Test
  void slowTokenEndpointDoesNotStarveTheSharedPool(Harness harness) {
    h = harness.configure(new JsonObject().put("db", new JsonObject().put("poolSize", POOL))
        .put("google", new JsonObject().put("requestTimeoutMs", 30_000)));
    h.start(new App.Parts(false, false, true));
    web = WebClient.create(h.vertx);
    List<Long> ids = new ArrayList<>(h.connectSeeded(REFRESHES, 0).values());
    var stats = h.emulator.state().stats();
    long r0 = stats.tokenRefreshes();
    h.emulator.state().setFaults(FaultProfile.none().withLatency(6000, 0).withPaths(Set.of("token")));

    List<Future<Message<JsonObject>>> tokens = new ArrayList<>();
    for (long id : ids) {
      tokens.add(h.vertx.eventBus().request(Addresses.TOKEN_GET, new JsonObject().put("integrationId", id)));
    }
    Harness.await("every refresh holding its lease, waiting for the token endpoint",
        () -> h.count("SELECT count(*) FROM user_integrations WHERE refresh_lease IS NOT NULL") == REFRESHES);

    assertThat(h.pool().query("SELECT 1").execute().await().iterator().next().getInteger(0)).isEqualTo(1);
    assertThat(web.get(h.app.httpPort(), "127.0.0.1", "/ready").send().await().statusCode()).isEqualTo(200);
    assertThat(tokens).as("answered while every refresh still waits for Google").noneMatch(Future::isComplete);
    assertThat(stats.tokenRefreshes()).isEqualTo(r0);
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE refresh_lease IS NOT NULL"))
        .as("each in-flight refresh holds its integration's lease").isEqualTo(REFRESHES);

    Future.all(tokens).await();
    assertThat(tokens).allSatisfy(f -> assertThat(f.result().body().getString("accessToken")).startsWith("ya29."));
    assertThat(stats.tokenRefreshes() - r0).isEqualTo(REFRESHES);
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE refresh_lease IS NOT NULL OR access_expires_at IS NULL")).as("stored, leases ended").isZero();
  }
}
