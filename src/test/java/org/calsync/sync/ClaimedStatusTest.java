package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.calsync.App;
import org.calsync.db.JobQueue;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A sync hands the token verticle the status its job claim read: a cached access token is used without reading the
 * status again only when the claim saw the integration active. One moved to needs_reconnect elsewhere (another
 * process, nothing published here) is not synced with the token still cached: its job is dropped.
 */
@ExtendWith(HarnessExtension.class)
class ClaimedStatusTest {
  @Test
  void aJobClaimedForAnIntegrationNoLongerActiveIsDroppedDespiteACachedToken(Harness h) {
    h.start(new App.Parts(true, false, false));
    Map<String, Long> ids = h.connectSeeded(1, 3);
    String cal = ids.keySet().iterator().next();
    long integration = ids.get(cal);
    h.runCycle();
    assertThat(h.mirrored(cal)).hasSize(3);
    long lists = h.emulator.state().stats().requests("events.list");
    // audit rows are written in batches, after the sync: wait for the first sync's before counting
    Harness.await("the first sync audited", () -> h.count("SELECT count(*) FROM audit_log WHERE action = 'sync.synced'") >= 1);
    long synced = h.count("SELECT count(*) FROM audit_log WHERE action = 'sync.synced'");
    h.query("UPDATE user_integrations SET status = 'needs_reconnect' WHERE id = $1", integration);

    new JobQueue(h.pool()).enqueueManual(integration, new JsonObject()).await();
    h.awaitQueueDrained(60);

    assertThat(h.emulator.state().stats().requests("events.list")).as("no Google call with the cached token").isEqualTo(lists);
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'sync.synced'")).isEqualTo(synced);
  }
}
