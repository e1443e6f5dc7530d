package org.calsync.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.calsync.bus.Addresses;
import org.calsync.bus.FailureCode;
import org.calsync.config.AuditConfig;
import org.calsync.config.DbConfig;
import org.calsync.db.Db;
import org.calsync.support.Harness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** While the database is away the audit buffer stays within audit.maxBuffered; what it refuses is counted, not hidden. */
class AuditBufferTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void aDatabaseOutageFillsTheBufferUpToItsCapAndRefusalsAreCounted() {
    // a PostgreSQL that does not answer: nothing listens on the port
    Pool pool = Db.pool(vertx, new DbConfig("postgresql://postgres@127.0.0.1:" + Harness.freePort() + "/calsync", null, 2));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    vertx.deployVerticle(new AuditVerticle(pool, new AuditConfig(10, 20, 100), registry)).await();

    for (int i = 0; i < 250; i++) {
      vertx.eventBus().send(Addresses.AUDIT_RECORD, new JsonObject().put("actor", "test").put("action", "test.outage").put("detail",
          new JsonObject().put("i", i)));
    }
    Harness.await("refusals counted", () -> registry.counter("calsync.audit.dropped").count() >= 150);
    assertThat(registry.counter("calsync.audit.dropped").count()).isEqualTo(150);
    assertThat(registry.get("calsync.audit.buffered").gauge().value()).as("records held").isEqualTo(100);

    assertThatThrownBy(() -> vertx.eventBus().request(Addresses.AUDIT_RECORD, new JsonObject().put("actor", "test")
        .put("action", "test.outage")).await())
        .isInstanceOf(ReplyException.class)
        .satisfies(e -> assertThat(((ReplyException) e).failureCode()).isEqualTo(FailureCode.UNAVAILABLE));
    assertThat(registry.counter("calsync.audit.dropped").count()).isEqualTo(151);
    assertThat(registry.get("calsync.audit.buffered").gauge().value()).isEqualTo(100);
  }
}
