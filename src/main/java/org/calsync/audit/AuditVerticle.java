package org.calsync.audit;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.calsync.bus.Addresses;
import org.calsync.bus.Messages;
import org.calsync.config.AuditConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link Addresses#AUDIT_RECORD}: buffers records and appends them in batches (audit.batchSize, at least every
 * audit.flushMs). A failed write keeps the batch and tries again; nothing is dropped while the process lives. Stop
 * flushes what is buffered.
 */
public final class AuditVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(AuditVerticle.class);
  private static final int MAX_BUFFER = 1_000_000;

  private final Pool pool;
  private final AuditConfig config;
  private AuditLog auditLog;
  private List<AuditLog.Entry> buffer = new ArrayList<>();
  private boolean writing;

  public AuditVerticle(Pool pool, AuditConfig config) {
    this.pool = pool;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    auditLog = new AuditLog(pool);
    vertx.setPeriodic(config.flushMs(), id -> flush());
    return vertx.eventBus().consumer(Addresses.AUDIT_RECORD, this::onRecord).completion();
  }

  @Override
  public Future<?> stop() {
    return drain(System.currentTimeMillis() + 5000);
  }

  private Future<Void> drain(long deadline) {
    if (buffer.isEmpty() && !writing) return Future.succeededFuture();
    if (System.currentTimeMillis() > deadline) {
      log.error("audit: {} records could not be written before stop", buffer.size());
      return Future.succeededFuture();
    }
    flush();
    return vertx.timer(20).compose(v -> drain(deadline));
  }

  private void onRecord(Message<Object> msg) {
    JsonObject body = Messages.body(msg);
    if (body == null) return;
    Object actor = body.getValue("actor");
    Object action = body.getValue("action");
    Object id = body.getValue("integrationId");
    Object detail = body.getValue("detail");
    if (!(actor instanceof String) || !(action instanceof String) || (id != null && !(id instanceof Number))
        || (detail != null && !(detail instanceof JsonObject))) {
      log.warn("audit: dropped a malformed record (actor and action must be strings, integrationId a number, detail an object)");
      if (msg.replyAddress() != null) msg.fail(org.calsync.bus.FailureCode.BAD_REQUEST, "malformed audit record");
      return;
    }
    if (buffer.size() >= MAX_BUFFER) {
      log.error("audit: buffer full ({} records), database unreachable?", buffer.size());
    }
    buffer.add(new AuditLog.Entry(Instant.now(), (String) actor, (String) action, id == null ? null : ((Number) id).longValue(),
        AuditLog.detail((JsonObject) detail)));
    if (msg.replyAddress() != null) msg.reply(null);
    if (buffer.size() >= config.batchSize()) flush();
  }

  private void flush() {
    if (writing || buffer.isEmpty()) return;
    List<AuditLog.Entry> batch = buffer.size() <= config.batchSize() ? buffer : new ArrayList<>(buffer.subList(0, config.batchSize()));
    List<AuditLog.Entry> rest = batch == buffer ? new ArrayList<>() : new ArrayList<>(buffer.subList(batch.size(), buffer.size()));
    buffer = rest;
    writing = true;
    auditLog.append(batch).onComplete(ar -> {
      writing = false;
      if (ar.failed()) {
        log.warn("audit: writing {} records failed, will retry: {}", batch.size(), ar.cause().getMessage());
        batch.addAll(buffer);
        buffer = batch;
      } else if (buffer.size() >= config.batchSize()) {
        flush();
      }
    });
  }
}
