package org.calsync.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.calsync.App;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** With api.keyCacheSeconds, a verified key is not read from the database again for that long (revocation included). */
@ExtendWith(HarnessExtension.class)
class ApiKeyCacheTest {

  @Test
  void aVerifiedKeyIsTrustedForTheCacheTimeWithoutReadingTheDatabase(Harness h) {
    h.configure(new JsonObject().put("api", new JsonObject().put("keyCacheSeconds", 300))).start(new App.Parts(false, false, true));
    ApiKeys keys = new ApiKeys(h.pool());
    ApiKeys.Created created = keys.create("emr", "read").await();
    ApiClient api = new ApiClient(h.vertx, h.app.apiPort());
    api.key = created.key();
    assertThat(api.get("listIntegrations", "/v1/integrations").status()).isEqualTo(200);
    assertThat(keys.revoke(created.id()).await()).isTrue();
    assertThat(api.get("listIntegrations", "/v1/integrations").status()).as("still cached").isEqualTo(200);
    // the cache is by the whole key's hash: another secret for the same id is checked (and refused)
    api.key = created.key().substring(0, created.key().length() - 1) + (created.key().endsWith("A") ? "B" : "A");
    assertThat(api.get("listIntegrations", "/v1/integrations").status()).isEqualTo(401);
    // a second, unrevoked key is read once, then used
    ApiKeys.Created other = keys.create("emr2", "read").await();
    api.key = other.key();
    assertThat(api.get("listIntegrations", "/v1/integrations").status()).isEqualTo(200);
    Harness.await("its use recorded", () -> h.count("SELECT count(*) FROM api_keys WHERE id = $1 AND last_used_at IS NOT NULL",
        other.id()) == 1);
  }
}
