package org.calsync.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.calsync.bus.Addresses;
import org.calsync.bus.FailureCode;
import org.calsync.bus.Messages;
import org.calsync.config.AuditConfig;
import org.calsync.metrics.Recoveries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link Addresses#AUDIT_RECORD}: buffers records and appends them in batches (audit.batchSize, at least every
 * audit.flushMs). A failed write keeps the batch and tries again. Stop flushes what is buffered.
 * <p>While the database cannot take records the buffer is capped at audit.maxBuffered (records held, including the
 * batch being written): beyond that a new record is refused, never an older one dropped (the chain keeps its order
 * and what was accepted is written). A refusal is counted in calsync_audit_dropped_total, logged (the first at once,
 * then at most every {@link #LOG_EVERY_MS} with the count), and a sender that asked for a reply gets failure
 * {@link FailureCode#UNAVAILABLE}. Gauge calsync_audit_buffered: records held.
 */
public final class AuditVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(AuditVerticle.class);
  static final long LOG_EVERY_MS = 10_000;

  private final Pool pool;
  private final AuditConfig config;
  private final MeterRegistry registry;
  private AuditLog auditLog;
  private List<AuditLog.Entry> buffer = new ArrayList<>();
  private int inFlight;
  private boolean writing;
  private Counter dropped;
  private long droppedSinceLog;
  private long lastDropLogMs;

  public AuditVerticle(Pool pool, AuditConfig config, MeterRegistry registry) {
    this.pool = pool;
    this.config = config;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    auditLog = new AuditLog(pool);
    dropped = Counter.builder("calsync.audit.dropped").description("Audit records refused because the buffer was full")
        .register(registry);
    Gauge.builder("calsync.audit.buffered", this, v -> v.held()).description("Audit records waiting to be written")
        .register(registry);
    vertx.setPeriodic(config.flushMs(), id -> flush());
    return vertx.eventBus().consumer(Addresses.AUDIT_RECORD, msg -> {
      if (held() >= config.maxBuffered()) {
        refuse(); // counted and logged at most once a minute, not per record
        if (msg.replyAddress() != null) msg.fail(FailureCode.UNAVAILABLE, "audit buffer full");
        return;
      }
      Messages.serve(msg, AuditEvent::parse, this::record);
    }).completion();
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

  private Future<JsonObject> record(AuditEvent event) {
    buffer.add(event.entry(Instant.now()));
    if (buffer.size() >= config.batchSize()) flush();
    return Future.succeededFuture();
  }

  private int held() {
    return buffer.size() + inFlight;
  }

  private void refuse() {
    dropped.increment();
    droppedSinceLog++;
    long now = System.currentTimeMillis();
    if (lastDropLogMs == 0 || now - lastDropLogMs >= LOG_EVERY_MS) {
      log.error("audit: {} records refused, buffer full ({} held, audit.maxBuffered); is the database reachable?",
          droppedSinceLog, held());
      droppedSinceLog = 0;
      lastDropLogMs = now;
    }
  }

  private void flush() {
    if (writing || buffer.isEmpty()) return;
    List<AuditLog.Entry> batch = buffer.size() <= config.batchSize() ? buffer : new ArrayList<>(buffer.subList(0, config.batchSize()));
    List<AuditLog.Entry> rest = batch == buffer ? new ArrayList<>() : new ArrayList<>(buffer.subList(batch.size(), buffer.size()));
    buffer = rest;
    writing = true;
    inFlight = batch.size();
    auditLog.append(batch).onComplete(ar -> {
      writing = false;
      inFlight = 0;
      if (ar.failed()) {
        Recoveries.count(Recoveries.Kind.DATABASE);
        log.warn("audit: writing {} records failed, will retry: {}", batch.size(), ar.cause().getMessage());
        batch.addAll(buffer);
        buffer = batch;
      } else if (buffer.size() >= config.batchSize()) {
        flush();
      }
    });
  }
}
