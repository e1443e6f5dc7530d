package org.calsync.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** From the audit trail: no integration's sync started before its previous sync ended. */
public final class SyncOverlaps {
  private SyncOverlaps() {
  }

  /** Asserts that audited syncs of one integration never overlap; returns how many audited syncs were checked. */
  public static int assertNone(Harness h) {
    Map<Long, List<long[]>> runs = new HashMap<>();
    int n = 0;
    for (Row r : h.query("SELECT integration_id, detail FROM audit_log WHERE action LIKE 'sync.%' AND integration_id IS NOT NULL")) {
      JsonObject d = new JsonObject(r.getString(1));
      if (d.getLong("startedAt") == null) continue;
      n++;
      runs.computeIfAbsent(r.getLong(0), k -> new ArrayList<>())
          .add(new long[] {d.getLong("startedAt"), d.getLong("startedAt") + d.getLong("durationMs")});
    }
    assertThat(runs).as("audited syncs").isNotEmpty();
    runs.forEach((id, list) -> {
      list.sort((a, b) -> Long.compare(a[0], b[0]));
      for (int i = 1; i < list.size(); i++) {
        assertThat(list.get(i)[0]).as("integration %d: sync %d starts after the previous one ended", id, i)
            .isGreaterThanOrEqualTo(list.get(i - 1)[1]);
      }
    });
    return n;
  }
}
