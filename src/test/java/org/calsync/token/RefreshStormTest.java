package org.calsync.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calsync.App;
import org.calsync.VertxRuntime;
import org.calsync.bus.Addresses;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 1,000 integrations whose tokens expire together cause exactly 1,000 refreshes, with two daemons (own Vert.x
 * instance, event bus, token cache and pool each) asking for every token at the same time.
 */
@ExtendWith(HarnessExtension.class)
class RefreshStormTest {
  private Harness h;
  private VertxRuntime second;
  private App other;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.start(new App.Parts(true, false, false));
    second = VertxRuntime.create();
    other = App.start(second.vertx(), h.config, h.cipher, second.registry(), new App.Parts(true, false, false)).await();
  }

  @AfterEach
  void tearDown() throws Exception {
    other.close().await();
    second.vertx().close().await();
  }

  /**
   * Both daemons ask for every token concurrently, twice each; returns the replies. refused: per integration, the token
   * a 401 refused (as a sync's Google call names it), or null.
   */
  private List<JsonObject> askBoth(List<Long> ids, Map<Long, String> refused) {
    List<Future<JsonObject>> all = new ArrayList<>();
    for (long id : ids) {
      for (Vertx v : List.of(h.vertx, second.vertx(), h.vertx, second.vertx())) {
        JsonObject body = new JsonObject().put("integrationId", id);
        if (refused != null) body.put("refused", refused.get(id));
        all.add(v.eventBus().<JsonObject>request(Addresses.TOKEN_GET, body)
            .map(m -> m.body().put("integrationId", id)));
      }
    }
    Future.all(all).await();
    return all.stream().map(Future::result).toList();
  }

  /** Asserts one token per integration among the replies, and returns it. */
  private static Map<Long, String> sameTokenPerIntegration(List<JsonObject> replies) {
    Map<Long, List<String>> byId = new java.util.HashMap<>();
    for (JsonObject r : replies) byId.computeIfAbsent(r.getLong("integrationId"), k -> new ArrayList<>()).add(r.getString("accessToken"));
    assertThat(byId.values()).allSatisfy(tokens -> assertThat(tokens).containsOnly(tokens.get(0)));
    Map<Long, String> one = new java.util.HashMap<>();
    byId.forEach((id, tokens) -> one.put(id, tokens.get(0)));
    return one;
  }

  @Test
  void thousandSimultaneousExpiriesCauseExactlyThousandRefreshes() {
    List<Long> ids = new ArrayList<>(h.connectSeeded(1000, 0).values());
    var stats = h.emulator.state().stats();

    // 1. No access token yet anywhere: all 1,000 are due at once, asked for by both daemons.
    long r0 = stats.tokenRefreshes();
    Map<Long, String> first = sameTokenPerIntegration(askBoth(ids, null));
    assertThat(stats.tokenRefreshes() - r0).isEqualTo(1000);

    // 2. Google expires every access token; both daemons get 401s and ask for a token other than the refused one.
    h.emulator.state().expireAccessTokens();
    long r1 = stats.tokenRefreshes();
    Map<Long, String> renewed = sameTokenPerIntegration(askBoth(ids, first));
    assertThat(ids).allSatisfy(id -> assertThat(renewed.get(id)).isNotEqualTo(first.get(id)));
    assertThat(stats.tokenRefreshes() - r1).isEqualTo(1000);

    // 3. The same through sync cycles on both daemons' workers: each stale token refused once, refreshed once.
    h.emulator.state().expireAccessTokens();
    long r2 = stats.tokenRefreshes();
    h.runCycle();
    assertThat(stats.tokenRefreshes() - r2).isEqualTo(1000);
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE last_sync_status = 'ok'")).isEqualTo(1000);
    System.out.println("refresh storm: 3 x 1000 simultaneous expiries -> " + (stats.tokenRefreshes() - r0) + " refreshes");
  }
}
