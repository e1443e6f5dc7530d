package org.calsync.cli;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.calsync.cli.ConnectFile.Entry;
import org.calsync.db.Integrations;
import org.calsync.token.Connections;

/**
 * Connects or reconnects every entry of a connect file in one process: a user's Google account (user id and e-mail)
 * without an integration is connected; one whose stored refresh token differs is reconnected; the same token again is
 * unchanged (so re-running a file changes nothing). A failing entry is reported and the others go on. Entries of the
 * same account run in file order; different accounts run a few at a time.
 */
final class BulkConnect {
  /** One entry's outcome: connected, reconnected, unchanged or error (with the reason; never the token). */
  record Outcome(Entry entry, String outcome, Long integrationId, String reason) {
    JsonObject toJson() {
      return new JsonObject().put("line", entry.line()).put("userId", entry.userId()).put("email", entry.email())
          .put("outcome", outcome).put("integrationId", integrationId).put("reason", reason);
    }
  }

  private static final int LANES = 8;

  private final Connections connections;
  private final Integrations integrations;

  BulkConnect(Connections connections, Integrations integrations) {
    this.connections = connections;
    this.integrations = integrations;
  }

  Future<List<Outcome>> run(List<Entry> entries) {
    Outcome[] out = new Outcome[entries.size()];
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < LANES; lane++) {
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < entries.size(); i++) {
        Entry e = entries.get(i);
        if (Math.floorMod(key(e).hashCode(), LANES) != lane) continue;
        int at = i;
        chain = chain.compose(v -> one(e).map(o -> {
          out[at] = o;
          return null;
        }));
      }
      lanes.add(chain);
    }
    return Future.all(lanes).map(v -> List.of(out));
  }

  private static String key(Entry e) {
    return e.userId() + "/" + (e.email() == null ? "" : e.email().toLowerCase(Locale.ROOT));
  }

  private Future<Outcome> one(Entry e) {
    if (e.problem() != null) return Future.succeededFuture(new Outcome(e, "error", null, e.problem()));
    return integrations.findAccount(e.userId(), e.email()).compose(id -> {
      if (id == null) return connections.connect(e.userId(), e.email(), e.refreshToken()).map(n -> new Outcome(e, "connected", n, null));
      return connections.storedRefreshToken(id).compose(stored -> e.refreshToken().equals(stored)
          ? Future.succeededFuture(new Outcome(e, "unchanged", id, null))
          : connections.reconnect(id, e.refreshToken()).map(v -> new Outcome(e, "reconnected", id, null)));
    }).otherwise(err -> new Outcome(e, "error", null, Cli.describe(err)));
  }

  static JsonObject toJson(List<Outcome> outcomes) {
    JsonArray lines = new JsonArray();
    JsonObject counts = new JsonObject().put("connected", 0).put("reconnected", 0).put("unchanged", 0).put("error", 0);
    for (Outcome o : outcomes) {
      lines.add(o.toJson());
      counts.put(o.outcome(), counts.getInteger(o.outcome()) + 1);
    }
    return new JsonObject().put("counts", counts).put("lines", lines);
  }
}
