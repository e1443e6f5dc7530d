package org.calsync.push;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.calsync.audit.AuditEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audits refused notifications on known channels (wrong or missing token, wrong resource), at most one record (and one
 * log line) per channel and reason per {@link #WINDOW_MS}; the record's detail.suppressed counts the refusals of that
 * kind not recorded since the previous one. Every refusal is still counted in calsync_push_notifications_total.
 * Confined to the push verticle's event loop.
 */
final class RefusalAudit {
  private static final Logger log = LoggerFactory.getLogger(RefusalAudit.class);
  static final long WINDOW_MS = 60_000;
  private static final int PRUNE_ABOVE = 10_000;

  private static final class Window {
    long startedMs;
    long suppressed;
  }

  private final Vertx vertx;
  private final Map<String, Window> windows = new HashMap<>();

  RefusalAudit(Vertx vertx) {
    this.vertx = vertx;
  }

  void refused(String channelId, long integrationId, String reason, String remote) {
    long now = System.currentTimeMillis();
    Window w = windows.get(channelId + "|" + reason);
    if (w != null && now - w.startedMs < WINDOW_MS) {
      w.suppressed++;
      return;
    }
    long suppressed = w == null ? 0 : w.suppressed;
    if (w == null) {
      if (windows.size() >= PRUNE_ABOVE) prune(now);
      windows.put(channelId + "|" + reason, w = new Window());
    }
    w.startedMs = now;
    w.suppressed = 0;
    log.warn("webhook refused for channel {} integration={}: {} from {} ({} more not audited in the last minute)", channelId,
        integrationId, reason, remote, suppressed);
    new AuditEvent("webhook", "push.webhook_refused", integrationId, new JsonObject().put("channelId", channelId)
        .put("reason", reason).put("remote", remote).put("suppressed", suppressed)).send(vertx.eventBus());
  }

  /** Drops windows that are over (their suppressed count is then lost from the audit, but it was counted in metrics). */
  private void prune(long now) {
    for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
      if (now - it.next().startedMs >= WINDOW_MS) it.remove();
    }
  }
}
